//! `higress-claw tidy`: drop what get-ai-gateway.sh wrote for providers nobody asked for.
//!
//! Upstream's template writes ~18 providers with `YOUR_…_API_KEY` tokens; they can
//! never serve, and two of them (azure, openai) claim the same models as real ones.

use serde::Serialize;

use super::lock_wait;
use crate::printer::Printer;
use crate::target::Target;

#[derive(Serialize)]
struct TidyReport {
    data_dir: String,
    removed: Vec<String>,
    changed_files: Vec<String>,
}

pub async fn run(target: &Target, printer: Printer) -> anyhow::Result<()> {
    let ws = super::workspace(target, &printer).await?;
    let mut tx = ws.folder.begin(lock_wait(&printer))?;
    let placeholders = tx.remove_placeholder_providers()?;
    let changed = tx.commit()?;
    ws.publish(&changed).await?;
    if placeholders.is_empty() {
        printer.success("No placeholder providers; nothing to tidy");
    } else {
        printer.success(format!(
            "Removed {} placeholder providers: {}",
            placeholders.len(),
            placeholders.join(", ")
        ));
    }
    printer.json(&TidyReport {
        data_dir: ws.describe(),
        removed: placeholders,
        changed_files: changed,
    });
    Ok(())
}
