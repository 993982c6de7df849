"""csock: the C Berkeley sockets API through cffi, and a Pythonic layer on it."""
