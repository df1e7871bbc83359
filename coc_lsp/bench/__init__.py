"""`coc bench`: BIG-Bench Hard through the one solve pipeline (solve/pipeline.py), scored the
standard way, run concurrently and resumably, reported beside the paper's figures."""
