//! higress-claw: run the Higress AI Gateway on Docker and wire it into OpenClaw.
//!
//! `cli` is the clap tree, `commands` one small function per command, `views` what
//! each command shows (its `--json` report and its text), `diagnostics` the exit
//! status and the fix of each error. The logic lives in `gateway` (the data
//! folder), `docker` (the engine), `workspace` (where an edit happens), `openclaw`,
//! `region`, `usage` (the access log) and `install_method`; `target` is which gateway a
//! command means. Output goes through `printer` only.

pub mod cli;
pub mod commands;
pub mod diagnostics;
pub mod docker;
pub mod env_vars;
pub mod gateway;
pub mod hash;
pub mod health;
pub mod install_method;
pub mod interrupt;
pub mod openclaw;
pub mod printer;
pub mod region;
pub mod secret;
pub mod target;
pub mod usage;
pub mod values;
pub mod views;
pub mod wizard;
pub mod workspace;
pub mod yaml;
