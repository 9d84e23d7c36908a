package dev.troupe.node.run;

/** How an attempt ended, as its run actor reports it to the entity. */
public enum Outcome { SUCCEEDED, RETRY, FAILED, TIMED_OUT, CANCELLED }
