package dev.cloudpc.reprovision.reprovision;

/**
 * Where one accepted reprovision stands, as Graph reports it.
 *
 * @param action the matching Reprovision remote action, or null when Graph gives none (v1.0)
 */
public record OperationState(Phase phase, CloudPc pc, RemoteAction action) {

  public enum Phase { RUNNING, SUCCEEDED, FAILED }
}
