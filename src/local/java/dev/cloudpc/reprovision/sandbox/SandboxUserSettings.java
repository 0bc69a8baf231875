package dev.cloudpc.reprovision.sandbox;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Windows 365 user settings and the groups they are assigned to, as Graph shows them:
 * cloudPcUserSetting with {@code resetEnabled} (default false) and, on {@code $expand=assignments}, its
 * cloudPcUserSettingAssignment list whose target is a cloudPcManagementGroupAssignmentTarget
 * (api-reference/beta/resources/cloudpcusersetting.md, cloudpcusersettingassignment.md; assignment id
 * {@code {policyId}_{groupId}}), and group membership that nests (checkMemberGroups "is transitive",
 * api-reference/v1.0/api/directoryobject-checkmembergroups.md).
 *
 * <p>Seeded so that the banner's self-service example works: Adele is (through a nested group) in the group of the
 * newer setting "Self-service reset" (resetEnabled true) and also in the group of the older "Standard users" (false)
 * — the most recently created wins, as Windows 365 resolves conflicts — while Megan has only "Standard users".
 */
public final class SandboxUserSettings {

  public static final String STANDARD_SETTING_ID = "5e7f0a1b-2c3d-4e5f-8a9b-0c1d2e3f4a51";
  public static final String RESET_SETTING_ID = "5e7f0a1b-2c3d-4e5f-8a9b-0c1d2e3f4a52";
  public static final String ALL_USERS_GROUP_ID = "6a1b2c3d-4e5f-4a6b-9c7d-8e9f0a1b2c01";
  public static final String RESET_GROUP_ID = "6a1b2c3d-4e5f-4a6b-9c7d-8e9f0a1b2c02";
  public static final String SALES_GROUP_ID = "6a1b2c3d-4e5f-4a6b-9c7d-8e9f0a1b2c03";

  /** One setting; {@code groupIds} are its assignments. */
  public record Setting(String id, String displayName, Instant created, boolean resetEnabled, List<String> groupIds) {
    public Setting {
      groupIds = List.copyOf(groupIds);
    }

    JsonObject toJson(boolean expandAssignments) {
      JsonObject json = new JsonObject()
          .put("id", id)
          .put("displayName", displayName)
          .put("createdDateTime", created.toString())
          .put("lastModifiedDateTime", created.toString())
          .put("localAdminEnabled", false)
          .put("resetEnabled", resetEnabled);
      if (expandAssignments) {
        JsonArray assignments = new JsonArray();
        groupIds.forEach(group -> assignments.add(new JsonObject()
            .put("id", id + "_" + group)
            .put("createdDateTime", created.toString())
            .put("target", new JsonObject()
                .put("@odata.type", "#microsoft.graph.cloudPcManagementGroupAssignmentTarget")
                .put("groupId", group))));
        json.put("assignments", assignments);
      }
      return json;
    }
  }

  private final Map<String, Setting> settings = new ConcurrentHashMap<>();
  /** Group id → direct member ids (users or groups), lower case. */
  private final Map<String, Set<String>> members = new ConcurrentHashMap<>();

  SandboxUserSettings() {
    reset();
  }

  /** Back to the seeded settings and groups. */
  void reset() {
    settings.clear();
    members.clear();
    put(new Setting(STANDARD_SETTING_ID, "Standard users", Instant.parse("2024-01-15T09:00:00Z"), false,
        List.of(ALL_USERS_GROUP_ID)));
    put(new Setting(RESET_SETTING_ID, "Self-service reset", Instant.parse("2024-06-01T09:00:00Z"), true,
        List.of(RESET_GROUP_ID)));
    addMember(ALL_USERS_GROUP_ID, SandboxSeed.ADELE.id());
    addMember(ALL_USERS_GROUP_ID, SandboxSeed.MEGAN.id());
    addMember(RESET_GROUP_ID, SALES_GROUP_ID);
    addMember(SALES_GROUP_ID, SandboxSeed.ADELE.id());
  }

  /** Adds or replaces a setting. */
  public void put(Setting setting) {
    settings.put(setting.id(), setting);
  }

  public void remove(String settingId) {
    settings.remove(settingId);
  }

  public void addMember(String groupId, String memberId) {
    members.computeIfAbsent(key(groupId), k -> ConcurrentHashMap.newKeySet()).add(key(memberId));
  }

  public void removeMember(String groupId, String memberId) {
    members.getOrDefault(key(groupId), Set.of()).remove(key(memberId));
  }

  List<JsonObject> toJson(boolean expandAssignments) {
    return settings.values().stream().sorted(java.util.Comparator.comparing(Setting::id))
        .map(s -> s.toJson(expandAssignments)).toList();
  }

  /** Which of {@code groupIds} the member is in, directly or through nested groups. */
  List<String> memberGroups(String memberId, List<String> groupIds) {
    Map<String, String> asked = new LinkedHashMap<>();
    groupIds.forEach(id -> asked.put(key(id), id));
    return asked.entrySet().stream().filter(e -> contains(e.getKey(), key(memberId))).map(Map.Entry::getValue)
        .toList();
  }

  private boolean contains(String groupId, String memberId) {
    Set<String> seen = new HashSet<>();
    Deque<String> open = new ArrayDeque<>(List.of(groupId));
    while (!open.isEmpty()) {
      String group = open.pop();
      if (!seen.add(group)) {
        continue;
      }
      Set<String> direct = members.getOrDefault(group, Set.of());
      if (direct.contains(memberId)) {
        return true;
      }
      open.addAll(direct);
    }
    return false;
  }

  private static String key(String id) {
    return id.toLowerCase(Locale.ROOT);
  }
}
