"""Live sessions (WebRTC)."""
