package dev.cloudpc.reprovision.sandbox;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The one OData filter the fake understands: {@code userPrincipalName eq 'x'} ({@code ''} is a quote). */
final class UpnFilter {

  private static final Pattern FORM =
      Pattern.compile("\\s*userPrincipalName\\s+eq\\s+'((?:[^']|'')*)'\\s*", Pattern.CASE_INSENSITIVE);

  private UpnFilter() {
  }

  /** The UPN literal, unescaped; empty when the filter has another form. */
  static Optional<String> parse(String filter) {
    if (filter == null) {
      return Optional.empty();
    }
    Matcher matcher = FORM.matcher(filter);
    return matcher.matches() ? Optional.of(matcher.group(1).replace("''", "'")) : Optional.empty();
  }
}
