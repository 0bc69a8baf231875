package dev.cloudpc.reprovision.sandbox;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/** Who exists and which Cloud PC belongs to whom: the seeded ones in small maps, the generated ones computed. */
final class SandboxDirectory {

  private final Map<String, CloudPcSeed> seededPcs = new LinkedHashMap<>();
  private final int extraCloudPcs;
  private final Instant created;

  SandboxDirectory(int extraCloudPcs, Instant created) {
    this.extraCloudPcs = extraCloudPcs;
    this.created = created;
    addAll(SandboxSeed.ADELE, SandboxSeed.ADELE_CLOUD_PCS, "adele");
    addAll(SandboxSeed.MEGAN, SandboxSeed.MEGAN_CLOUD_PCS, "megan");
  }

  private void addAll(SandboxUser user, List<String> ids, String shortName) {
    for (int i = 0; i < ids.size(); i++) {
      // One Windows 10 PC so that "osVersion" visibly changes after a reprovision to windows11.
      String os = i == ids.size() - 1 ? "windows10" : "windows11";
      seededPcs.put(ids.get(i), CloudPcSeed.of(ids.get(i), "CPC-" + shortName + "-" + (i + 1), user, os, created));
    }
  }

  List<CloudPcSeed> seededCloudPcs() {
    return List.copyOf(seededPcs.values());
  }

  /** How many Cloud PCs the tenant has: the seeded ones, then the generated ones. */
  int cloudPcCount() {
    return seededPcs.size() + extraCloudPcs;
  }

  /** The i-th Cloud PC of the tenant in listing order (seeded first), without building the whole list. */
  CloudPcSeed cloudPcAt(int index) {
    return index < seededPcs.size() ? List.copyOf(seededPcs.values()).get(index) : extra(index - seededPcs.size());
  }

  Optional<CloudPcSeed> cloudPc(String id) {
    String key = id.toLowerCase(Locale.ROOT);
    CloudPcSeed seeded = seededPcs.get(key);
    if (seeded != null) {
      return Optional.of(seeded);
    }
    OptionalInt index = SandboxSeed.extraPcIndex(key);
    return index.isPresent() && index.getAsInt() < extraCloudPcs ? Optional.of(extra(index.getAsInt()))
        : Optional.empty();
  }

  /** A user by object id or UPN (case-insensitive, as Entra compares both). */
  Optional<SandboxUser> user(String idOrUpn) {
    String key = idOrUpn.toLowerCase(Locale.ROOT);
    for (SandboxUser user : SandboxSeed.users()) {
      if (user.id().equals(key) || user.userPrincipalName().equals(key)) {
        return Optional.of(user);
      }
    }
    OptionalInt index = SandboxSeed.extraUserIndex(key);
    return index.isPresent() && index.getAsInt() < extraCloudPcs
        ? Optional.of(SandboxSeed.extraUser(index.getAsInt())) : Optional.empty();
  }

  List<CloudPcSeed> cloudPcsOf(SandboxUser user) {
    List<CloudPcSeed> result = new ArrayList<>();
    for (CloudPcSeed pc : seededPcs.values()) {
      if (pc.user().id().equals(user.id())) {
        result.add(pc);
      }
    }
    SandboxSeed.extraUserIndex(user.id()).ifPresent(i -> result.add(extra(i)));
    return result;
  }

  private CloudPcSeed extra(int index) {
    return CloudPcSeed.of(SandboxSeed.extraCloudPcId(index), "CPC-bench-" + index, SandboxSeed.extraUser(index),
        "windows11", created);
  }
}
