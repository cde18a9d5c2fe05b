"""RoboTwin 2.0 tasks, grouped by kind (blocks, ranking, tools, pick_place, dual_arm), and the suite's
protocol data (protocol.py). Importing this package loads nothing; tasks.catalog registers the tasks."""
