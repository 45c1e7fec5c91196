"""Camera and microphone workers, recorders, device discovery."""
