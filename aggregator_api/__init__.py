"""HTTP API over the published serving file: metric values, disclosure-controlled."""
