"""goe's exceptions, and the map from the runtime's status codes to them."""

# goe_status_code_t values (goe_runtime.h).
_INVALID_ARGUMENT, _NOT_FOUND, _OUT_OF_RANGE = 1, 2, 5


class Error(RuntimeError):
    """A goe runtime error; `code` is the runtime's status code."""

    def __init__(self, message: str, code: int = 0):
        super().__init__(message)
        self.code = code


class InvalidArgumentError(Error, ValueError):
    """Bad input: a wrong shape, dtype or name, a malformed file."""


class NotFoundError(Error, LookupError):
    """A file that does not exist."""


def _raise(error):
    """Re-raises a goe._goe.Error (args: code, message) as its class."""
    code, message = error.args if len(error.args) == 2 else (0, str(error))
    if code in (_INVALID_ARGUMENT, _OUT_OF_RANGE):
        raise InvalidArgumentError(message, code) from None
    if code == _NOT_FOUND:
        raise NotFoundError(message, code) from None
    raise Error(message, code) from None
