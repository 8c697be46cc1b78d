"""msgcopy-viewer: import, browse, search and export Message Copy SMS/MMS data."""

__version__ = "0.1.0"
