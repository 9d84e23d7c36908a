package dev.troupe.testkit;

/**
 * A line a handler logged: its level ({@code debug}, {@code info}, {@code warn}, {@code error}),
 * the formatted message ({@code {}} placeholders filled) and its throwable, if any.
 */
public record LoggedLine(String level, String message, Throwable thrown) {}
