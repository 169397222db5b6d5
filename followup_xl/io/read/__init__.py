"""Reading what offices hand in: workbooks of every format, CSV, other people's trackers, the manager's inputs."""
