"""delegates package."""
