"""The market snapshot job: every KRX-listed company with its price, market cap and volume.

- ``records``   companies, quotes, rows, failures; 6-character codes, never ints
- ``krx``       the KRX company-list parser (bytes in)
- ``naver``     Naver's item page, ranking and polling parsers (bytes in)
- ``sources``   three ways to price companies (per-item, ranking, polling), one interface
- ``snapshot``  the job itself: ``snapshot_market(listing, sources, client) -> Snapshot``
- ``csvfile``   the rows and failures CSVs
- ``crawl``     a snapshot saved to CSV as it goes, resumable after Ctrl-C
- ``original``  the original study's method, the benchmarks' baseline
"""
