"""The news mood job: today's headlines from an RSS feed, classified by a Korean model.

- ``feed``       the RSS 2.0 parser (bytes in, headlines out)
- ``sentiment``  the models (replica, hub id, local directory) and batched classification
- ``mood``       the job itself: ``news_mood(feed, spec, ...) -> MoodReport``

Nothing here is imported by ``stockbench.news`` itself: torch and transformers cost
seconds to import, so only the modules that need them pull them in.
"""
