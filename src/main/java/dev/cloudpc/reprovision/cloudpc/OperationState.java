package dev.cloudpc.reprovision.cloudpc;

/**
 * Where one accepted reprovision stands, as Graph reports it.
 *
 * @param action the matching Reprovision remote action, or null when Graph gives none
 */
public record OperationState(Phase phase, CloudPc pc, RemoteAction action) {

  /** UNDETERMINED: Graph has given no usable outcome for longer than the tracker waits for one. */
  public enum Phase { RUNNING, SUCCEEDED, FAILED, UNDETERMINED }
}
