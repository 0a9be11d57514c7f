//! Higress's real ai-proxy and ai-statistics plugins on the folders higress-claw writes.

mod proxy_wasm;
mod support;

use proxy_wasm::Gateway;
use support::init_folder;

#[test]
fn smoke() {
    let home = tempfile::tempdir().unwrap();
    let data = init_folder(home.path(), &["--non-interactive", "--deepseek-key", "sk-ds"]);
    let Some(mut gw) = Gateway::new(&data, true) else { return };
    eprintln!("configured: {} {:?}", gw.proxy_configured.accepted, gw.proxy_configured.logs);
    let (route, out) = gw
        .send("/v1/chat/completions", "deepseek-chat", proxy_wasm::gateway::chat_body("deepseek-chat", false), &[], None, &proxy_wasm::no_calls)
        .unwrap();
    eprintln!("{route:?}\n{out:#?}");
}
