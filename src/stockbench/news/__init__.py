"""The news mood job: today's headlines from an RSS feed, classified by a Korean model.

- ``feed``          the RSS 2.0 parser (bytes in, headlines out)
- ``models``        model specs, label trust and fingerprints (no torch)
- ``predictions``   a classified headline and how two runs compare (no torch)
- ``onnx_runtime``  the default backend: the int8 ONNX export on ONNX Runtime (no torch)
- ``onnx_export``   making that export once (torch)
- ``sentiment``     the torch backend: replica, hub id, local directory; batched classification
- ``mood``          the job itself: ``news_mood(feed, spec, backend=...) -> MoodReport``

Nothing here is imported by ``stockbench.news`` itself: torch and transformers cost
seconds to import, so only the modules that need them pull them in.
"""
