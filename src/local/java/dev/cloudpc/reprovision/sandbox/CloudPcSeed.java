package dev.cloudpc.reprovision.sandbox;

import java.time.Instant;

/** The unchanging facts of one Cloud PC; what changes (status, OS after a rebuild) lives in {@link CloudPcStore}. */
record CloudPcSeed(String id, String name, String managedDeviceId, SandboxUser user, String osVersion,
                   Instant created) {

  static CloudPcSeed of(String id, String name, SandboxUser user, String osVersion, Instant created) {
    return new CloudPcSeed(id, name, Ids.nameGuid("managed-device:" + id), user, osVersion, created);
  }
}
