"""Files and images in content: storage, checks and re-encoding, who may read an upload."""
