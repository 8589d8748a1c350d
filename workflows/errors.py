"""Domain errors. Views and the API map each to one HTTP status in one place."""


class DomainError(Exception):
    status = 400

    def __init__(self, message, *, field_errors=None):
        super().__init__(message)
        self.message = message
        self.field_errors = field_errors or {}


class InvalidInput(DomainError):
    status = 400


class Forbidden(DomainError):
    status = 403


class NotFound(DomainError):
    status = 404


class Conflict(DomainError):
    """The object is not in a state that allows this (it may just have been moved by someone)."""

    status = 409

    def __init__(self, message, *, current_state=None, **kwargs):
        super().__init__(message, **kwargs)
        self.current_state = current_state
