//! Everything that talks to Docker, behind one facade.
//!
//! The rest of the crate sees [`Engine`] and plain types ([`Container`],
//! [`ContainerState`], [`Ports`]); no bollard type leaks out. `endpoint` finds the
//! engine the docker CLI would use, `client` is the one API client, `container` reads
//! what an existing container is, `spec` is the pure description of the one we create,
//! `ports` the host ports and bind address, `lifecycle` the create-start-wait that must
//! not leave a half-made container behind, and `readiness` what "it answers" means.

pub mod client;
pub mod container;
pub mod endpoint;
pub mod error;
pub mod lifecycle;
pub mod ports;
pub mod readiness;
pub mod spec;

pub use client::Engine;
pub use container::{Container, ContainerState, parse_container_name, split_image};
pub use endpoint::Endpoint;
pub use error::DockerError;
pub use ports::{LOOPBACK, PortError, PortRole, Ports, probe_host};
pub use spec::ContainerSpec;
