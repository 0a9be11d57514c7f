//! The gateway's three host ports and the address they are published on.
//!
//! One type for each: [`Ports`] (HTTP, HTTPS, console) with its [`PortRole`]s, and the
//! bind address as a plain [`IpAddr`] whose default is [`LOOPBACK`]. The checks that
//! can refuse a deployment before anything is created (a busy port, an address this
//! host lacks) live here, and say which port; the command line adds the flag.

use std::net::{IpAddr, Ipv4Addr, TcpListener};

use thiserror::Error;

/// Where ports are published unless the user asks otherwise: this host only.
pub const LOOPBACK: IpAddr = IpAddr::V4(Ipv4Addr::LOCALHOST);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ports {
    pub http: u16,
    pub https: u16,
    pub console: u16,
}

/// Which of the three a port is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PortRole {
    Http,
    Https,
    Console,
}

impl PortRole {
    pub const ALL: [PortRole; 3] = [PortRole::Http, PortRole::Https, PortRole::Console];

    pub fn describe(self) -> &'static str {
        match self {
            PortRole::Http => "HTTP",
            PortRole::Https => "HTTPS",
            PortRole::Console => "console",
        }
    }
}

impl Ports {
    /// get-ai-gateway.sh's ports, and the image's.
    pub const DEFAULT: Ports = Ports {
        http: 8080,
        https: 8443,
        console: 8001,
    };

    pub fn get(self, role: PortRole) -> u16 {
        match role {
            PortRole::Http => self.http,
            PortRole::Https => self.https,
            PortRole::Console => self.console,
        }
    }

    /// Each role with its port, in the order users know them.
    pub fn each(self) -> [(PortRole, u16); 3] {
        PortRole::ALL.map(|role| (role, self.get(role)))
    }

    /// `8080, 8443, 8001`.
    pub fn list(self) -> String {
        format!("{}, {}, {}", self.http, self.https, self.console)
    }

    /// The three must be real ports and distinct: the container listens on all three.
    pub fn check(self) -> Result<(), PortError> {
        if let Some((role, _)) = self.each().into_iter().find(|(_, port)| *port == 0) {
            return Err(PortError::Zero { role });
        }
        if self.http == self.https || self.http == self.console || self.https == self.console {
            return Err(PortError::Clash { ports: self });
        }
        Ok(())
    }

    /// Every port can be bound right now: the gateway's on `bind`, the console's on
    /// `console_bind`.
    pub fn check_free(self, bind: IpAddr, console_bind: IpAddr) -> Result<(), PortError> {
        for (role, port) in self.each() {
            let bind = if role == PortRole::Console {
                console_bind
            } else {
                bind
            };
            match TcpListener::bind((bind, port)) {
                Ok(_) => {}
                Err(err) if err.kind() == std::io::ErrorKind::AddrNotAvailable => {
                    return Err(PortError::NotAnAddress { bind });
                }
                Err(reason) => {
                    return Err(PortError::InUse {
                        role,
                        port,
                        bind,
                        reason,
                    });
                }
            }
        }
        Ok(())
    }

    /// The roles whose port cannot be bound on `bind` now.
    pub fn busy(self, bind: IpAddr) -> Vec<(PortRole, u16)> {
        self.each()
            .into_iter()
            .filter(|(_, port)| TcpListener::bind((bind, *port)).is_err())
            .collect()
    }
}

#[derive(Debug, Error)]
pub enum PortError {
    #[error("the {} port cannot be 0", role.describe())]
    Zero { role: PortRole },
    #[error(
        "the HTTP ({}), HTTPS ({}) and console ({}) ports must differ",
        ports.http, ports.https, ports.console
    )]
    Clash { ports: Ports },
    #[error("{bind} is not an address of this host, so nothing can be published on it")]
    NotAnAddress { bind: IpAddr },
    /// The OS's reason is part of the message, not a separate cause: it is short.
    #[error("the {} port {port} on {bind} is already in use ({reason})", role.describe())]
    InUse {
        role: PortRole,
        port: u16,
        bind: IpAddr,
        reason: std::io::Error,
    },
}

/// Where to reach published ports from this host: the bind address, or loopback when
/// they are published on every address (or the address is unknown).
pub fn probe_host(bind: Option<IpAddr>) -> String {
    match bind {
        Some(ip) if ip.is_unspecified() => LOOPBACK.to_string(),
        Some(IpAddr::V6(ip)) => format!("[{ip}]"),
        Some(ip) => ip.to_string(),
        None => LOOPBACK.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ports_must_be_distinct_and_nonzero() {
        assert!(Ports::DEFAULT.check().is_ok());
        let clash = Ports {
            https: 8080,
            ..Ports::DEFAULT
        };
        assert!(matches!(clash.check(), Err(PortError::Clash { .. })));
        let zero = Ports {
            console: 0,
            ..Ports::DEFAULT
        };
        assert!(matches!(
            zero.check(),
            Err(PortError::Zero {
                role: PortRole::Console
            })
        ));
    }

    #[test]
    fn probes_go_to_loopback_unless_bound_elsewhere() {
        assert_eq!(probe_host(None), "127.0.0.1");
        assert_eq!(probe_host(Some("0.0.0.0".parse().unwrap())), "127.0.0.1");
        assert_eq!(probe_host(Some("10.1.2.3".parse().unwrap())), "10.1.2.3");
        assert_eq!(probe_host(Some("::1".parse().unwrap())), "[::1]");
    }
}
