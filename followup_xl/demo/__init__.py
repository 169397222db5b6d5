"""The bundled example office and the demo that runs the whole job on it."""
