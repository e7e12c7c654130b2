"""The bundled demo corpus and the small 127.0.0.1 web server that serves it.

It lets a new user (and the end-to-end tests) watch the whole pipeline work without the internet:
four invented news sites with one feed each (RSS 2.0, Atom, RSS 1.0/RDF, JSON Feed), one
child-repatriation story syndicated three times, a separate Russian one, unrelated news and
look-alikes. Import `newsmon.demo.server.DemoServer` to serve it; this module imports nothing heavy.
"""
