"""Reading inputs: discover files, decode bytes to text, split containers (JSONL, WARC) into documents."""
