//! Bringing up a new gateway container without ever leaving half of one behind.
//!
//! `start` and `upgrade` both create a container, start it and wait until it answers.
//! From the create on, a failure (it does not start, it does not answer in time) or an
//! interrupt (Ctrl-C, SIGTERM, a closed terminal) removes the new container again, so a
//! later `start` does not trip over it and `upgrade` can put the old one back. The
//! caller starts listening for interrupts before its own first irreversible step and
//! hands the listener in.

use std::future::Future;

use super::client::Engine;
use super::spec::ContainerSpec;
use crate::interrupt::Interrupts;

/// Creates the container `spec` describes, starts it and runs `ready` (the wait, which
/// says whether the gateway answered). On an error or an interrupt the container is
/// removed before the error is returned. A signal that arrives during the create is
/// kept by the listener and acted on right after it.
pub async fn launch<F, Fut>(
    engine: &Engine,
    spec: &ContainerSpec,
    interrupts: &mut Interrupts,
    ready: F,
) -> anyhow::Result<bool>
where
    F: FnOnce() -> Fut,
    Fut: Future<Output = anyhow::Result<bool>>,
{
    // A failed create made nothing to remove; and a name taken meanwhile (two
    // `start`s at once) is the other one's container, which must stay.
    engine.create(spec).await?;
    let attempt = async {
        engine.start(&spec.name).await?;
        ready().await
    };
    let outcome = tokio::select! {
        outcome = attempt => outcome,
        signal = interrupts.received() => Err(anyhow::anyhow!("interrupted ({signal}) while waiting for the gateway")),
    };
    match outcome {
        Ok(ready) => Ok(ready),
        Err(err) => {
            let _ = engine.remove(&spec.name, true).await;
            Err(err.context(format!("the container {} was removed again", spec.name)))
        }
    }
}
