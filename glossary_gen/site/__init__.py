"""Engine-neutral pages: term pages, the A-Z index, exports, redirects, the Markdown extension and
the sanitizer. It knows no site engine."""
