//! What this platform cannot run: the suites that need a Unix host (signals, Unix
//! sockets, pseudo-terminals, the shell installer) are compiled only there, and here
//! they are recorded as skipped, so a run on Windows says so instead of passing in
//! silence.

mod support;

#[cfg(not(unix))]
#[test]
fn unix_only_suites_are_skipped_here() {
    for (suite, test) in [
        ("docker", "docker_lifecycle"),
        ("install", "install"),
        ("openclaw", "openclaw"),
        ("wizard", "wizard"),
        ("crash", "crash"),
        ("engine-fault", "engine_fault"),
    ] {
        support::skip(
            suite,
            test,
            "the suite drives Unix signals, sockets and terminals",
            "run it on Linux or macOS",
        );
    }
}
