"""The MMS viewer (slides, images, audio/video, contact cards, part actions)."""

from msgcopy_viewer.ui.mms.viewer import MmsViewerDialog

__all__ = ["MmsViewerDialog"]
