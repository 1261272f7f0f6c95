package dev.claw.debian;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.claw.ClawException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ResolverTest {

  @Test
  void dependenciesAndPreDependenciesAreFollowedToTheirClosure() {
    Resolution resolution = resolve(List.of("app"),
        pkg("app", "1.0", "Depends", "libfoo (>= 1.0), libbar", "Pre-Depends", "dash"),
        pkg("libfoo", "1.2", "Depends", "libc6"),
        pkg("libbar", "2.0"),
        pkg("dash", "0.5"),
        pkg("libc6", "2.36"),
        pkg("unrelated", "1.0"));

    assertThat(names(resolution)).containsExactly("app", "dash", "libbar", "libc6", "libfoo");
    assertThat(resolution.pulledBy()).containsEntry("app", "profile")
        .containsEntry("libfoo", "app").containsEntry("libc6", "libfoo");
    assertThat(resolution.skipped()).isEmpty();
  }

  @Test
  void theFirstSatisfiableAlternativeIsTaken() {
    Resolution resolution = resolve(List.of("app"),
        pkg("app", "1.0", "Depends", "missing | old (>= 2) | good | other"),
        pkg("old", "1.0"),
        pkg("good", "1.0"),
        pkg("other", "1.0"));

    assertThat(names(resolution)).containsExactly("app", "good");
  }

  @Test
  void anAlternativeAlreadyInstalledOrChosenWinsOverTheFirst() {
    PackageRecord[] universe = {
        pkg("app", "1.0", "Depends", "first | second"),
        pkg("first", "1.0"),
        pkg("second", "1.0")};

    assertThat(names(resolver(universe).resolve(List.of("app"), Set.of(), Set.of("second"))))
        .containsExactly("app");
    assertThat(names(resolve(List.of("second", "app"), universe)))
        .containsExactly("app", "second");
  }

  @Test
  void versionedProvidesMeetVersionedDependencies() {
    Resolution resolution = resolve(List.of("app"),
        pkg("app", "1.0", "Depends", "api (>= 2)"),
        pkg("api-one", "5.0", "Provides", "api (= 1)"),
        pkg("api-plain", "5.0", "Provides", "api"),
        pkg("api-three", "1.0", "Provides", "api (= 3)"));

    assertThat(names(resolution)).containsExactly("api-three", "app");
    assertThat(resolution.choices()).isEmpty();
  }

  @Test
  void amongSeveralProvidersTheMostImportantPriorityWinsAndTheChoiceIsReported() {
    Resolution resolution = resolve(List.of("app"),
        pkg("app", "1.0", "Depends", "awk"),
        pkg("gawk", "5.2", "Provides", "awk", "Priority", "optional"),
        pkg("mawk", "1.3", "Provides", "awk", "Priority", "required"),
        pkg("original-awk", "2012", "Provides", "awk", "Priority", "optional"));

    assertThat(names(resolution)).containsExactly("app", "mawk");
    assertThat(resolution.choices()).containsExactly("awk: chose mawk over gawk, original-awk");
  }

  @Test
  void aProviderAlreadyInstalledSatisfiesAVirtualDependency() {
    Resolution resolution = resolver(
        pkg("app", "1.0", "Depends", "awk"),
        pkg("gawk", "5.2", "Provides", "awk"),
        pkg("mawk", "1.3", "Provides", "awk"))
        .resolve(List.of("app"), Set.of(), Set.of("mawk"));

    assertThat(names(resolution)).containsExactly("app");
    assertThat(resolution.choices()).isEmpty();
  }

  @Test
  void aDependencyOnlyExcludedPackagesMeetIsSkippedNotAnError() {
    Resolution resolution = resolver(
        pkg("ca-certificates", "2023", "Depends", "openssl (>= 1.1.1), debconf"),
        pkg("openssl", "3.0"),
        pkg("debconf", "1.5"))
        .resolve(List.of("ca-certificates"), Set.of("openssl"), Set.of());

    assertThat(names(resolution)).containsExactly("ca-certificates", "debconf");
    assertThat(resolution.skipped()).containsExactly(
        "ca-certificates depends on openssl (>= 1.1.1): excluded by layer");
  }

  @Test
  void anExcludedVirtualPackageIsNotMetThroughItsProviders() {
    Resolution resolution = resolver(
        pkg("ca-certificates", "2023", "Depends", "debconf (>= 0.5) | debconf-2.0"),
        pkg("debconf", "1.5", "Provides", "debconf-2.0"),
        pkg("cdebconf", "0.270", "Provides", "debconf-2.0"))
        .resolve(List.of("ca-certificates"), Set.of("debconf", "debconf-2.0"), Set.of());

    assertThat(names(resolution)).containsExactly("ca-certificates");
    assertThat(resolution.skipped()).containsExactly(
        "ca-certificates depends on debconf (>= 0.5) | debconf-2.0: excluded by layer");
  }

  @Test
  void anExcludedAlternativeIsPassedOverForTheNextOne() {
    Resolution resolution = resolver(
        pkg("app", "1.0", "Depends", "perl | python3"),
        pkg("perl", "5.36"),
        pkg("python3", "3.11"))
        .resolve(List.of("app"), Set.of("perl"), Set.of());

    assertThat(names(resolution)).containsExactly("app", "python3");
    assertThat(resolution.skipped()).isEmpty();
  }

  @Test
  void packagesFromEarlierLayersAreNotReturnedAgain() {
    Resolution resolution = resolver(
        pkg("python3", "3.11", "Depends", "libc6 (>= 2.34), python3-minimal"),
        pkg("python3-minimal", "3.11", "Depends", "libc6"),
        pkg("libc6", "2.36"))
        .resolve(List.of("python3", "libc6"), Set.of(), Set.of("libc6"));

    assertThat(names(resolution)).containsExactly("python3", "python3-minimal");
  }

  @Test
  void cyclesEndWithEveryPackageOnce() {
    Resolution resolution = resolve(List.of("a"),
        pkg("a", "1", "Depends", "b"),
        pkg("b", "1", "Pre-Depends", "c"),
        pkg("c", "1", "Depends", "a (= 1)"));

    assertThat(names(resolution)).containsExactly("a", "b", "c");
    assertThat(resolution.pulledBy()).containsEntry("a", "profile");
  }

  @Test
  void anUnsatisfiableVersionNamesTheChainFromTheProfile() {
    PackageRecord[] universe = {
        pkg("python3", "3.11", "Depends", "python3.11"),
        pkg("python3.11", "3.11.2", "Depends", "libssl3 (>= 3.1)"),
        pkg("libssl3", "3.0.15")};

    assertThatThrownBy(() -> resolve(List.of("python3"), universe))
        .isInstanceOf(ClawException.class)
        .hasMessageContaining("profile → python3 → python3.11 → libssl3 (>= 3.1)")
        .hasMessageContaining("libssl3 3.0.15 does not match");
  }

  @Test
  void anUnknownDependencyIsAnError() {
    assertThatThrownBy(() -> resolve(List.of("app"), pkg("app", "1", "Depends", "ghost")))
        .isInstanceOf(ClawException.class)
        .hasMessageContaining("profile → app → ghost")
        .hasMessageContaining("no repository has a package named ghost");
  }

  @Test
  void anUnknownWantedPackageIsAnErrorWithAFix() {
    ClawException error = (ClawException) catchThrowable(
        () -> resolve(List.of("pyhton3"), pkg("python3", "3.11")));

    assertThat(error.getMessage()).contains("the layer asks for pyhton3");
    assertThat(error.fix()).contains("apt-cache policy pyhton3");
  }

  @Test
  void aPackageBothWantedAndExcludedIsAnError() {
    assertThatThrownBy(() -> resolver(pkg("curl", "7.88"))
        .resolve(List.of("curl"), Set.of("curl"), Set.of()))
        .isInstanceOf(ClawException.class)
        .hasMessageContaining("both asks for curl and excludes it");
  }

  @Test
  void anyQualifierNeedsMultiArchAllowed() {
    PackageRecord allowed = pkg("python3", "3.11", "Multi-Arch", "allowed");
    PackageRecord plain = pkg("python3", "3.11");
    PackageRecord user = pkg("tool", "1", "Depends", "python3:any, libc6:native");
    PackageRecord libc = pkg("libc6", "2.36");

    assertThat(names(resolve(List.of("tool"), user, allowed, libc)))
        .containsExactly("libc6", "python3", "tool");
    assertThatThrownBy(() -> resolve(List.of("tool"), user, plain, libc))
        .hasMessageContaining("not Multi-Arch: allowed");
  }

  @Test
  void theHighestVersionAcrossSuitesIsTheCandidate() {
    PackageUniverse universe = PackageUniverse.of(List.of(
        pkg("libc6", "2.36-9+deb12u9"),
        pkg("libc6", "2.36-9+deb12u10"),
        pkg("libc6", "2.36-9+deb12u4")));

    assertThat(universe.candidate("libc6")).get()
        .extracting(PackageRecord::version).isEqualTo("2.36-9+deb12u10");
  }

  @Test
  void theSameInputsGiveTheSameResolution() {
    PackageRecord[] universe = {
        pkg("z", "1", "Depends", "y | x, awk"),
        pkg("y", "1"),
        pkg("x", "1"),
        pkg("b-awk", "1", "Provides", "awk"),
        pkg("a-awk", "1", "Provides", "awk")};

    Resolution first = resolve(List.of("z"), universe);
    Resolution second = resolve(List.of("z"), universe);

    assertThat(first).isEqualTo(second);
    assertThat(names(first)).containsExactly("a-awk", "y", "z");
  }

  /** A package with the given fields (pairs of name and value). */
  static PackageRecord pkg(String name, String version, String... fields) {
    Map<String, String> map = new HashMap<>();
    for (int i = 0; i < fields.length; i += 2) {
      map.put(fields[i], fields[i + 1]);
    }
    return new PackageRecord(name, version, "amd64", name, 1000, "0".repeat(64),
        "pool/main/" + name + ".deb", "http://deb.example/debian", map);
  }

  private static Resolver resolver(PackageRecord... records) {
    return new Resolver(PackageUniverse.of(List.of(records)));
  }

  private static Resolution resolve(List<String> wanted, PackageRecord... records) {
    return resolver(records).resolve(wanted, Set.of(), Set.of());
  }

  private static List<String> names(Resolution resolution) {
    List<String> names = new ArrayList<>();
    resolution.packages().forEach(record -> names.add(record.name()));
    return names;
  }
}
