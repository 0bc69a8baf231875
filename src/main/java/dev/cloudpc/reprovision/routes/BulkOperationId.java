package dev.cloudpc.reprovision.routes;

import dev.cloudpc.reprovision.request.Problem;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;

/**
 * Identifies a bulk reprovision without server-side state, so any instance can answer its poll: the acceptance time
 * and the Cloud PCs that were accepted or already running, packed as 16 bytes each (100 PCs ≈ 2.1 kB of URL).
 */
public record BulkOperationId(Instant acceptedAt, List<String> cloudPcIds) {

  public String encode() {
    ByteBuffer bytes = ByteBuffer.allocate(16 * cloudPcIds.size());
    for (String id : cloudPcIds) {
      UUID uuid = UUID.fromString(id);
      bytes.putLong(uuid.getMostSignificantBits()).putLong(uuid.getLeastSignificantBits());
    }
    return acceptedAt.toEpochMilli() + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes.array());
  }

  public static BulkOperationId decode(String text, int maxPcs) {
    try {
      int dot = text.indexOf('.');
      Instant at = Instant.ofEpochMilli(Long.parseLong(text.substring(0, dot)));
      byte[] raw = Base64.getUrlDecoder().decode(text.substring(dot + 1));
      if (raw.length == 0 || raw.length % 16 != 0 || raw.length > 16 * maxPcs) {
        throw new IllegalArgumentException();
      }
      ByteBuffer bytes = ByteBuffer.wrap(raw);
      List<String> ids = new ArrayList<>();
      while (bytes.hasRemaining()) {
        ids.add(new UUID(bytes.getLong(), bytes.getLong()).toString());
      }
      return new BulkOperationId(at, List.copyOf(ids));
    } catch (RuntimeException e) {
      throw Problem.notFound("no-such-operation", "'" + PathParams.printable(text) + "' is not a bulk operation "
          + "id; use the Location URL the bulk reprovision answered with.").exception();
    }
  }
}
