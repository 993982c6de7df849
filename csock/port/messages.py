"""The translator's messages, in English and Spanish: the command line's
``--lang`` while ``csock port`` runs, else LANGUAGE, LC_ALL, LC_MESSAGES or
LANG starting with ``es``."""

from __future__ import annotations

import os
from contextvars import ContextVar

# English text -> Spanish text.
ES: dict[str, str] = {
    "cannot translate": "no se puede traducir",
    "untranslated": "sin traducir",
    "goto": "goto",
    "Python has no jump to a label: rewrite it as a loop, break or a function":
        "Python no tiene saltos a etiquetas: reescríbalo con un bucle, break o una función",
    "setjmp/longjmp": "setjmp/longjmp",
    "a non-local jump has no line-by-line Python form":
        "un salto no local no tiene forma en Python línea a línea",
    "inline assembly": "ensamblador en línea",
    "machine instructions cannot run in Python": "las instrucciones de máquina no corren en Python",
    "function pointer": "puntero a función",
    "a call through a pointer whose type the tool cannot tell":
        "una llamada a través de un puntero cuyo tipo la herramienta no conoce",
    "macro": "macro",
    "it does not expand to an expression or statement":
        "no se expande a una expresión ni a una sentencia",
    "it pastes or quotes tokens (# or ##), which has no Python form":
        "pega o entrecomilla símbolos (# o ##), algo que no tiene forma en Python",
    "#if on a macro this file does not define": "#if sobre una macro que el fichero no define",
    "{name} would come from a header or the compiler: define it in the file or remove the "
    "condition": "{name} vendría de una cabecera o del compilador: defínala en el fichero "
                 "o quite la condición",
    "#if expression": "expresión de #if",
    "no #if before it": "no hay un #if antes",
    "no #endif": "falta #endif",
    "cannot read it": "no se puede leer",
    "only #include, #define, #undef and conditionals are handled":
        "solo se tratan #include, #define, #undef y los condicionales",
    "syntax": "sintaxis",
    "unknown name": "nombre desconocido",
    "{name} is declared nowhere in the file nor in csock.c":
        "{name} no está declarado en el fichero ni en csock.c",
    "assignment inside an expression": "asignación dentro de una expresión",
    "only a plain variable can be assigned inside an expression (Python's :=)":
        "dentro de una expresión solo se puede asignar a una variable simple (:= de Python)",
    "this construct": "esta construcción",
    "the tool does not handle it yet": "la herramienta aún no la trata",
    "reading the variable arguments one by one has no line-by-line form: pass them on to a "
    "v...printf function, or give the function fixed parameters":
        "leer los argumentos variables uno a uno no tiene forma línea a línea: páselos a una "
        "función v...printf, o dé a la función parámetros fijos",
    "it is a statement of its own in a line-by-line port, not part of an expression":
        "en un port línea a línea es una sentencia por sí sola, no parte de una expresión",
    "only a local va_list variable can hold the variable arguments":
        "solo una variable local va_list puede guardar los argumentos variables",
    "{name} has no variable arguments (...)": "{name} no tiene argumentos variables (...)",
    "wrote {path}": "escrito {path}",
    "{path} exists already: to replace it, name it with -o":
        "{path} ya existe: para reemplazarlo, nómbrelo con -o",
    "{count} statement(s) left untranslated (marked in the output)":
        "{count} sentencia(s) sin traducir (marcadas en la salida)",
}


# The command line's --lang while `csock port` runs (None: the environment's).
LANGUAGE: ContextVar[str | None] = ContextVar("csock_port_language", default=None)


def spanish() -> bool:
    chosen = LANGUAGE.get()
    if chosen is not None:
        return chosen == "es"
    for var in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(var)
        if value:
            return value.lower().startswith("es")
    return False


def _(text: str) -> str:
    """The message in the user's language (English when there is no translation)."""
    return ES.get(text, text) if spanish() else text


class PortError(Exception):
    """``FILE:LINE:COLUMN: cannot translate CONSTRUCT: why``."""

    def __init__(self, where: str, construct: str, why: str) -> None:
        self.where = where
        self.construct = construct
        self.why = why
        super().__init__(f"{where}: {_('cannot translate')} {construct}: {why}")
