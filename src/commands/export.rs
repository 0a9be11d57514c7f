//! `higress-claw export`: the gateway's AI configuration for Kubernetes.

use anyhow::Context as _;

use super::usage;
use crate::cli::{ExportArgs, ExportFormat};
use crate::gateway::export::{self, ExportOptions};
use crate::gateway::store::write_atomic;
use crate::printer::Printer;
use crate::target::Target;
use crate::views::export::{ExportReport, Placeholder};
use crate::workspace::Workspace;

pub async fn run(args: ExportArgs, target: &Target, printer: Printer) -> anyhow::Result<()> {
    if args.namespace.trim().is_empty() {
        return Err(usage("--namespace is empty"));
    }
    let ws = super::workspace(target, &printer).await?;
    if let Some(path) = &args.output
        && is_inside(path, ws.folder.root())
    {
        return Err(usage(format!(
            "-o {} is inside the gateway's data folder {}, where Higress would load it as configuration; write it somewhere else",
            path.display(),
            ws.folder.root().display()
        )));
    }
    let registry = match &args.plugin_registry {
        Some(r) => r.trim_end_matches('/').to_string(),
        None => ws
            .folder
            .settings()?
            .map(|s| s.plugin_registry)
            .unwrap_or_else(|| crate::region::detect(None).registry.to_string()),
    };
    let (text, objects, placeholders) = match args.format {
        ExportFormat::HelmValues => (export::helm_values(&registry), Vec::new(), Vec::new()),
        ExportFormat::Kubernetes => kubernetes(&args, &ws, &registry, printer.json_mode())?,
    };
    if !placeholders.is_empty() {
        let mut note = String::from("Fill these placeholders before applying:");
        for (value, what) in &placeholders {
            note.push_str(&format!("\n  {value}  ←  {what}"));
        }
        printer.status(note);
    }
    let file = match &args.output {
        Some(path) => Some(write_file(path, &text, objects.len(), &printer)?),
        None => None,
    };
    if printer.json_mode() {
        printer.json(&ExportReport {
            format: match args.format {
                ExportFormat::Kubernetes => "kubernetes",
                ExportFormat::HelmValues => "helm-values",
            },
            namespace: args.namespace,
            plugin_registry: registry,
            objects,
            placeholders: placeholders
                .into_iter()
                .map(|(placeholder, fill_with)| Placeholder {
                    placeholder,
                    fill_with,
                })
                .collect(),
            yaml: file.is_none().then_some(text),
            file,
        });
    } else if file.is_none() {
        printer.data(text.trim_end());
    }
    Ok(())
}

/// `(placeholder, what to fill it with)` pairs of a redacted export.
type Placeholders = Vec<(String, String)>;

/// The objects of the folder, their `Kind/name`s, and the placeholders to fill in.
fn kubernetes(
    args: &ExportArgs,
    ws: &Workspace,
    registry: &str,
    json: bool,
) -> anyhow::Result<(String, Vec<String>, Placeholders)> {
    let options = ExportOptions {
        namespace: args.namespace.clone(),
        plugin_registry: registry.to_string(),
        // A JSON document is output like any other: it never carries a key. The real
        // file comes from plain stdout or -o.
        redact_keys: args.redact_keys || (json && args.output.is_none()),
    };
    let exported = export::export(&ws.folder, &options)?;
    if exported.documents.is_empty() {
        return Err(usage(format!(
            "{} has nothing to export; configure a provider first",
            ws.describe()
        )));
    }
    let objects = exported.object_names();
    Ok((exported.to_yaml()?, objects, exported.placeholders))
}

/// `-o FILE`: owner-only, since unless --redact-keys the file holds every API key.
fn write_file(
    path: &std::path::Path,
    text: &str,
    objects: usize,
    printer: &Printer,
) -> anyhow::Result<String> {
    write_atomic(path, text.as_bytes(), 0o600).with_context(|| {
        format!(
            "cannot write {}; check that its folder exists and is writable",
            path.display()
        )
    })?;
    printer.success(format!(
        "Wrote {} objects to {}",
        objects.max(1),
        path.display()
    ));
    Ok(path.display().to_string())
}

/// Whether `path` (which may not exist yet) lies in `folder`, links resolved.
fn is_inside(path: &std::path::Path, folder: &std::path::Path) -> bool {
    let Ok(folder) = folder.canonicalize() else {
        return false;
    };
    let absolute = crate::target::absolute(path);
    let parent = absolute.parent().unwrap_or(&absolute);
    parent.canonicalize().is_ok_and(|p| p.starts_with(&folder))
}
