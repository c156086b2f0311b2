"""The demo: the story of the seeds, loaded through the same services the app uses."""
