//! Signals that ask us to stop: Ctrl-C (SIGINT), SIGTERM (`timeout`, `kill`, an agent
//! cancelling a tool call) and SIGHUP (a closed terminal).
//!
//! While a command holds something it must undo on failure (a container it just
//! created, an old container it renamed aside), it listens here instead of dying, so
//! the undo runs. Listening starts when [`Interrupts::listen`] returns, not when the
//! future is first polled: a signal that arrives while the container is being created
//! is not lost.

use std::io;

pub struct Interrupts {
    #[cfg(unix)]
    signals: Vec<(tokio::signal::unix::Signal, &'static str)>,
    #[cfg(windows)]
    ctrl_c: tokio::signal::windows::CtrlC,
    #[cfg(windows)]
    ctrl_break: tokio::signal::windows::CtrlBreak,
    #[cfg(windows)]
    ctrl_close: tokio::signal::windows::CtrlClose,
}

impl Interrupts {
    pub fn listen() -> io::Result<Self> {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            let signals = [
                (SignalKind::interrupt(), "Ctrl-C"),
                (SignalKind::terminate(), "SIGTERM"),
                (SignalKind::hangup(), "SIGHUP"),
            ]
            .into_iter()
            .map(|(kind, name)| Ok((signal(kind)?, name)))
            .collect::<io::Result<_>>()?;
            Ok(Self { signals })
        }
        #[cfg(windows)]
        {
            use tokio::signal::windows;
            Ok(Self {
                ctrl_c: windows::ctrl_c()?,
                ctrl_break: windows::ctrl_break()?,
                // A closed console window: the Windows counterpart of SIGHUP.
                ctrl_close: windows::ctrl_close()?,
            })
        }
        #[cfg(not(any(unix, windows)))]
        Ok(Self {})
    }

    /// Resolves with the name of the first signal received.
    pub async fn received(&mut self) -> &'static str {
        #[cfg(unix)]
        {
            let waits = self.signals.iter_mut().map(|(signal, name)| {
                Box::pin(async move {
                    signal.recv().await;
                    *name
                })
            });
            futures_util::future::select_all(waits).await.0
        }
        #[cfg(windows)]
        {
            tokio::select! {
                _ = self.ctrl_c.recv() => "Ctrl-C",
                _ = self.ctrl_break.recv() => "Ctrl-Break",
                _ = self.ctrl_close.recv() => "the console closing",
            }
        }
        #[cfg(not(any(unix, windows)))]
        {
            let _ = tokio::signal::ctrl_c().await;
            "Ctrl-C"
        }
    }
}
