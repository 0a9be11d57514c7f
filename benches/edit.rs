//! In-process cost of the edits agents make most, on a large folder: every provider in
//! the catalog and 1,000 auto-routing rules. Run with `cargo bench`; whole-process
//! figures (start-up included) come from `scripts/bench.sh`.

use std::path::Path;

use criterion::{Criterion, criterion_group, criterion_main};
use higress_claw::gateway::catalog::{KeyRule, PROVIDERS};
use higress_claw::gateway::provider::parse_keys;
use higress_claw::gateway::resources::{AutoRouting, RoutingRule};
use higress_claw::gateway::{DataFolder, ProviderConfig};

/// A configured folder with every provider (companions filled in) and `rules` rules.
fn large_folder(root: &Path, rules: usize) -> DataFolder {
    let folder = DataFolder::new(root);
    let mut tx = folder.begin(|_| {}).unwrap();
    for (i, spec) in PROVIDERS.iter().enumerate() {
        let mut p = ProviderConfig::new(spec);
        if spec.takes_keys() && spec.key != KeyRule::Optional {
            p.keys = parse_keys(&format!("sk-bench-{i}:secret"));
        }
        for s in spec.settings.iter().filter(|s| s.required) {
            let value = match s.field {
                "azureServiceUrl" => {
                    "https://bench.openai.azure.com/openai/deployments/d/chat/completions?api-version=2024-06-01"
                }
                "ollamaServerHost" => "10.0.0.2",
                "vllmCustomUrl" | "genericUrl" | "tritonUrl" => "http://10.0.0.3:8000",
                _ => "bench",
            };
            p.set(s.field, value).unwrap();
        }
        // DeepL's requests name the plan (`Pro`) as the model.
        p.models = Some(if spec.id == "deepl" {
            "Pro".into()
        } else {
            format!("bench{i}-*")
        });
        p.validate().unwrap();
        tx.upsert_provider(&p).unwrap();
    }
    let routing = tx
        .router()
        .unwrap()
        .spec
        .default_config
        .auto_routing
        .get_or_insert_with(AutoRouting::default);
    routing.enable = true;
    routing.default_model = Some("bench0-x".into());
    routing.rules = (0..rules)
        .map(|i| RoutingRule {
            pattern: format!("(?i)^(trigger {i}|phrase {i})"),
            model: format!("bench{}-x", i % PROVIDERS.len()),
            other: Default::default(),
        })
        .collect();
    tx.commit().unwrap();
    folder
}

fn edits(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let folder = large_folder(dir.path(), 1000);
    let mut n = 0u64;
    c.bench_function(
        "config add (update a key), every provider + 1000 rules",
        |b| {
            b.iter(|| {
                n += 1;
                let mut tx = folder.begin(|_| {}).unwrap();
                let existing = folder.providers().unwrap();
                let mut p = existing
                    .iter()
                    .find(|p| p.id == "deepseek")
                    .unwrap()
                    .to_config()
                    .unwrap();
                p.keys = parse_keys(&format!("sk-rotated-{n}"));
                tx.upsert_provider(&p).unwrap();
                tx.commit().unwrap()
            })
        },
    );
    c.bench_function("route add then remove, 1000 rules", |b| {
        b.iter(|| {
            for add in [true, false] {
                let mut tx = folder.begin(|_| {}).unwrap();
                let rules = &mut tx
                    .router()
                    .unwrap()
                    .spec
                    .default_config
                    .auto_routing
                    .as_mut()
                    .unwrap()
                    .rules;
                if add {
                    rules.push(RoutingRule {
                        pattern: "(?i)^x".into(),
                        model: "bench1-x".into(),
                        other: Default::default(),
                    });
                } else {
                    rules.pop();
                }
                tx.commit().unwrap();
            }
        })
    });
    c.bench_function("config list (read every provider)", |b| {
        b.iter(|| folder.providers().unwrap())
    });
}

criterion_group!(benches, edits);
criterion_main!(benches);
