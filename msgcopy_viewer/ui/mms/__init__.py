"""The MMS viewer (slides, images, audio/video, contact cards, part actions).

Thin on purpose: the viewer (``viewer.MmsViewerDialog``) brings Qt Multimedia with it,
which the app then loads only when a message is first opened, not at start-up.
"""
