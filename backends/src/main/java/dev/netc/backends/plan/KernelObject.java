package dev.netc.backends.plan;

/** One object of the desired kernel state, known by its identity. */
public interface KernelObject {
  ObjectId id();
}
