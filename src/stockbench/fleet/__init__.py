"""``stockbench fleet``: the study on a fleet of EC2 instances, one per instance type.

The flow, one module per step, all AWS calls through ``aws`` (boto3 is optional):

``plan`` (names, cost) -> ``discover`` (types, zones, images, spot prices) -> ``bundle``
(the user's checkout) -> ``storage`` (S3 keys, presigned URLs) -> ``bootstrap`` (the
user data: ``bootstrap.sh``) -> ``launch`` -> ``monitor`` (the live table) -> ``collect``
(checksums, report) -> ``cleanup``; ``run`` strings them together and ``manifest`` keeps
the record of a run.
"""
