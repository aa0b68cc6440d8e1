//! The plan's `configuration` block, indexed: module configs by path, resource
//! configs, reference resolution to instance addresses (through `var.*` module
//! arguments and `module.*` outputs), and provider region/account.

use std::collections::{BTreeSet, HashMap};

use serde_json::Value;

use super::address::{Address, InstanceKey, ModuleStep, module_path_string};
use super::model::TfResource;
use crate::inventory::{Known, UnknownKind};

/// How deep `var.*`/`module.*` hops are followed.
const MAX_DEPTH: u8 = 6;

/// One resource instance: its key and full address.
type Instance = (Option<InstanceKey>, String);

/// A provider configuration's region and account.
#[derive(Debug, Clone)]
pub struct ProviderInfo {
    /// The provider config key (`aws`, `aws.west`).
    pub key: String,
    /// Its region, or why not.
    pub region: Known<String>,
    /// Its account (`assume_role.role_arn`, `allowed_account_ids`), or unknown.
    pub account: Known<String>,
}

/// A module's resource configuration blocks by (mode, type, name).
type ResourceConfigs<'a> = HashMap<(String, String, String), &'a Value>;

/// The configuration, indexed for lookups.
pub struct ConfigIndex<'a> {
    root: Option<&'a Value>,
    variables: Option<&'a Value>,
    providers: HashMap<String, ProviderInfo>,
    /// (module path, `type.name` or `data.type.name`) → instances (key, address).
    instances: HashMap<(String, String), Vec<Instance>>,
    /// (parent module path, call name) → instance keys.
    module_instances: HashMap<(String, String), BTreeSet<Option<InstanceKey>>>,
    /// Resource configuration blocks by (module config, mode, type, name), built
    /// on first use per module so lookups stay O(1) on large plans.
    resource_configs: std::cell::RefCell<HashMap<*const Value, ResourceConfigs<'a>>>,
}

impl<'a> ConfigIndex<'a> {
    /// Index a plan's configuration over the resource instances it has.
    pub fn new<'b>(plan: &'a Value, addresses: impl Iterator<Item = &'b Address>) -> Self {
        let mut index = ConfigIndex {
            root: plan.pointer("/configuration/root_module"),
            variables: plan.get("variables"),
            providers: HashMap::new(),
            instances: HashMap::new(),
            module_instances: HashMap::new(),
            resource_configs: Default::default(),
        };
        for address in addresses {
            index
                .instances
                .entry((address.module_address(), address.local_name()))
                .or_default()
                .push((address.key.clone(), address.to_string()));
            for i in 0..address.modules.len() {
                let parent = module_path_string(&address.modules[..i]);
                let step = &address.modules[i];
                index
                    .module_instances
                    .entry((parent, step.name.clone()))
                    .or_default()
                    .insert(step.key.clone());
            }
        }
        if let Some(configs) = plan
            .pointer("/configuration/provider_config")
            .and_then(Value::as_object)
        {
            for (key, config) in configs {
                let info = index.provider_info(key, config);
                index.providers.insert(key.clone(), info);
            }
        }
        index
    }

    fn provider_info(&self, key: &str, config: &Value) -> ProviderInfo {
        let expressions = config.get("expressions");
        let region = match expressions.and_then(|e| e.get("region")) {
            None => Known::unknown(
                UnknownKind::Unresolved,
                Some(format!(
                    "provider.{key}.region (not set; AWS_REGION at apply time)"
                )),
            ),
            Some(expr) => match self.constant_string(expr) {
                Some(r) => Known::Value(r),
                None => Known::unknown(UnknownKind::Unresolved, Some(expression_text(expr))),
            },
        };
        let role_account = expressions
            .and_then(|e| e.get("assume_role"))
            .and_then(|a| a.get(0))
            .and_then(|a| a.get("role_arn"))
            .and_then(|e| self.constant_string(e))
            .and_then(|arn| arn.split(':').nth(4).map(str::to_string))
            .filter(|a| a.len() == 12 && a.bytes().all(|b| b.is_ascii_digit()));
        let allowed = expressions
            .and_then(|e| e.get("allowed_account_ids"))
            .and_then(|e| e.get("constant_value"))
            .and_then(Value::as_array)
            .filter(|ids| ids.len() == 1)
            .and_then(|ids| ids[0].as_str())
            .map(str::to_string);
        let account = match role_account.or(allowed) {
            Some(a) => Known::Value(a),
            None => Known::unknown(UnknownKind::NotObservable, None),
        };
        ProviderInfo {
            key: key.to_string(),
            region,
            account,
        }
    }

    /// A string from `{"constant_value": "…"}` or `{"references": ["var.x"]}`
    /// (resolved from the plan's root `variables`).
    fn constant_string(&self, expr: &Value) -> Option<String> {
        if let Some(v) = expr.get("constant_value") {
            return v.as_str().map(str::to_string);
        }
        let reference = expr.get("references")?.as_array()?.first()?.as_str()?;
        let name = reference.strip_prefix("var.")?;
        self.variables?
            .get(name)?
            .get("value")?
            .as_str()
            .map(str::to_string)
    }

    /// The provider for a `provider_config_key`. Keys of older plans that name
    /// a module-local provider (`module.x:aws`) with no entry fall back to the
    /// root provider of the same name.
    pub fn provider(&self, key: &str) -> ProviderInfo {
        if let Some(p) = self.providers.get(key) {
            return p.clone();
        }
        let local = key.rsplit_once(':').map_or(key, |(_, local)| local);
        if let Some(p) = self.providers.get(local) {
            return p.clone();
        }
        ProviderInfo {
            key: local.to_string(),
            region: Known::unknown(
                UnknownKind::Unresolved,
                Some(format!("provider.{local} (no provider configuration)")),
            ),
            account: Known::unknown(UnknownKind::NotObservable, None),
        }
    }

    /// The configuration of a module instance path.
    pub fn module_config(&self, path: &[ModuleStep]) -> Option<&'a Value> {
        let mut module = self.root?;
        for step in path {
            module = module.get("module_calls")?.get(&step.name)?.get("module")?;
        }
        Some(module)
    }

    /// The configuration block of a resource instance.
    pub fn resource_config(&self, address: &Address) -> Option<&'a Value> {
        let module = self.module_config(&address.modules)?;
        let mode = if address.data { "data" } else { "managed" };
        let mut cache = self.resource_configs.borrow_mut();
        let by_name = cache
            .entry(std::ptr::from_ref(module))
            .or_insert_with(|| index_resources(module));
        by_name
            .get(&(mode.to_string(), address.kind.clone(), address.name.clone()))
            .copied()
    }

    /// Fill `configured`, `references` and `expressions` from a resource's config.
    pub fn apply_expressions(&self, address: &Address, config: &Value, resource: &mut TfResource) {
        let Some(expressions) = config.get("expressions").and_then(Value::as_object) else {
            return;
        };
        for (attribute, expr) in expressions {
            resource.configured.push(attribute.clone());
            let mut refs = Vec::new();
            collect_references(expr, &mut refs);
            if refs.is_empty() {
                continue;
            }
            if let Some(first) = refs.first() {
                resource
                    .expressions
                    .insert(attribute.clone(), (*first).to_string());
            }
            let mut resolved: Vec<String> = Vec::new();
            for r in refs {
                for a in self.resolve(&address.modules, r, address.key.as_ref(), 0) {
                    if !resolved.contains(&a) {
                        resolved.push(a);
                    }
                }
            }
            if !resolved.is_empty() {
                resource.references.insert(attribute.clone(), resolved);
            }
        }
    }

    /// Resolve one reference, made in module instance `path` by an instance
    /// with key `self_key`, to the addresses of resource instances.
    pub fn resolve(
        &self,
        path: &[ModuleStep],
        reference: &str,
        self_key: Option<&InstanceKey>,
        depth: u8,
    ) -> Vec<String> {
        if depth > MAX_DEPTH {
            return Vec::new();
        }
        let steps = split_traversal(reference);
        let Some((head, _)) = steps.first() else {
            return Vec::new();
        };
        match head.as_str() {
            "var" => self.resolve_var(path, steps.get(1).map(|s| s.0.as_str()), depth),
            "module" => self.resolve_output(path, &steps, self_key, depth),
            "local" | "each" | "count" | "path" | "self" | "terraform" => Vec::new(),
            "data" => match (steps.get(1), steps.get(2)) {
                (Some((kind, None)), Some((name, key))) => {
                    self.instances_of(path, &format!("data.{kind}.{name}"), key.as_ref(), self_key)
                }
                _ => Vec::new(),
            },
            kind => match steps.get(1) {
                Some((name, key)) => {
                    self.instances_of(path, &format!("{kind}.{name}"), key.as_ref(), self_key)
                }
                None => Vec::new(),
            },
        }
    }

    fn instances_of(
        &self,
        path: &[ModuleStep],
        local: &str,
        key: Option<&InstanceKey>,
        self_key: Option<&InstanceKey>,
    ) -> Vec<String> {
        let Some(found) = self
            .instances
            .get(&(module_path_string(path), local.to_string()))
        else {
            return Vec::new();
        };
        if let Some(key) = key {
            return found
                .iter()
                .filter(|(k, _)| k.as_ref() == Some(key))
                .map(|(_, a)| a.clone())
                .collect();
        }
        if found.len() == 1 {
            return vec![found[0].1.clone()];
        }
        found
            .iter()
            .filter(|(k, _)| self_key.is_some() && k.as_ref() == self_key)
            .map(|(_, a)| a.clone())
            .collect()
    }

    fn resolve_var(&self, path: &[ModuleStep], name: Option<&str>, depth: u8) -> Vec<String> {
        let (Some(name), Some((last, parent))) = (name, path.split_last()) else {
            return Vec::new();
        };
        let Some(expr) = self
            .module_config(parent)
            .and_then(|m| m.get("module_calls"))
            .and_then(|c| c.get(&last.name))
            .and_then(|c| c.get("expressions"))
            .and_then(|e| e.get(name))
        else {
            return Vec::new();
        };
        let mut refs = Vec::new();
        collect_references(expr, &mut refs);
        let mut out = Vec::new();
        for r in refs {
            for a in self.resolve(parent, r, last.key.as_ref(), depth + 1) {
                if !out.contains(&a) {
                    out.push(a);
                }
            }
        }
        out
    }

    fn resolve_output(
        &self,
        path: &[ModuleStep],
        steps: &[(String, Option<InstanceKey>)],
        self_key: Option<&InstanceKey>,
        depth: u8,
    ) -> Vec<String> {
        let (Some((call, key)), Some((output, _))) = (steps.get(1), steps.get(2)) else {
            return Vec::new();
        };
        let Some(expr) = self
            .module_config(path)
            .and_then(|m| m.get("module_calls"))
            .and_then(|c| c.get(call))
            .and_then(|c| c.get("module"))
            .and_then(|m| m.get("outputs"))
            .and_then(|o| o.get(output))
            .and_then(|o| o.get("expression"))
        else {
            return Vec::new();
        };
        let instance_key = match key {
            Some(k) => Some(k.clone()),
            None => {
                let keys = self
                    .module_instances
                    .get(&(module_path_string(path), call.clone()))
                    .cloned()
                    .unwrap_or_default();
                if keys.len() == 1 {
                    keys.into_iter().next().flatten()
                } else if let Some(k) = self_key.filter(|k| keys.contains(&Some((*k).clone()))) {
                    Some(k.clone())
                } else {
                    return Vec::new();
                }
            }
        };
        let mut child = path.to_vec();
        child.push(ModuleStep {
            name: call.clone(),
            key: instance_key,
        });
        let mut refs = Vec::new();
        collect_references(expr, &mut refs);
        let mut out = Vec::new();
        for r in refs {
            for a in self.resolve(&child, r, None, depth + 1) {
                if !out.contains(&a) {
                    out.push(a);
                }
            }
        }
        out
    }
}

/// Every `references` entry inside an expression (nested blocks included).
pub fn collect_references<'v>(expr: &'v Value, out: &mut Vec<&'v str>) {
    match expr {
        Value::Object(map) => {
            if let Some(refs) = map.get("references").and_then(Value::as_array) {
                out.extend(refs.iter().filter_map(Value::as_str));
            }
            for (k, v) in map {
                if k != "references" && k != "constant_value" {
                    collect_references(v, out);
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|v| collect_references(v, out)),
        _ => {}
    }
}

/// A short text for an expression: its first reference, else "an expression".
pub fn expression_text(expr: &Value) -> String {
    let mut refs = Vec::new();
    collect_references(expr, &mut refs);
    refs.first()
        .map_or_else(|| "an expression".to_string(), |r| (*r).to_string())
}

/// Split `aws_x.y[0].arn` / `module.m["k"].out` into (name, key) steps.
/// Stops at anything it cannot read (splat, dynamic index).
pub fn split_traversal(reference: &str) -> Vec<(String, Option<InstanceKey>)> {
    let mut out = Vec::new();
    let bytes = reference.as_bytes();
    let mut pos = 0;
    while pos < bytes.len() {
        let start = pos;
        while pos < bytes.len() && bytes[pos] != b'.' && bytes[pos] != b'[' {
            pos += 1;
        }
        let name = reference[start..pos].to_string();
        let mut key = None;
        if pos < bytes.len() && bytes[pos] == b'[' {
            let Some(len) = key_len(&reference[pos..]) else {
                out.push((name, None));
                return out;
            };
            let text = &reference[pos..pos + len];
            key = parse_key(text);
            if key.is_none() {
                out.push((name, None));
                return out;
            }
            pos += len;
        }
        out.push((name, key));
        if pos < bytes.len() && bytes[pos] == b'.' {
            pos += 1;
        } else if pos < bytes.len() {
            break;
        }
    }
    out
}

/// Length of a `[…]` key including brackets, honouring quoted strings.
fn key_len(text: &str) -> Option<usize> {
    let mut in_string = false;
    let mut escaped = false;
    for (i, c) in text.char_indices().skip(1) {
        if in_string {
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '"') => in_string = false,
                _ => {}
            }
        } else if c == '"' {
            in_string = true;
        } else if c == ']' {
            return Some(i + 1);
        }
    }
    None
}

fn parse_key(text: &str) -> Option<InstanceKey> {
    let probe = format!("x.y{text}");
    Address::parse(&probe).ok().and_then(|a| a.key)
}

/// A module's resource configuration blocks by (mode, type, name).
fn index_resources(module: &Value) -> ResourceConfigs<'_> {
    let field = |r: &Value, f: &str| {
        r.get(f)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string()
    };
    module
        .get("resources")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|r| ((field(r, "mode"), field(r, "type"), field(r, "name")), r))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_traversals_with_quoted_keys() {
        let s = split_traversal(r#"module.m["a.b"].out"#);
        assert_eq!(s.len(), 3);
        assert_eq!(s[1].1, Some(InstanceKey::Str("a.b".into())));
        let s = split_traversal("aws_cloudwatch_log_group.lambda[0].arn");
        assert_eq!(s[1], ("lambda".to_string(), Some(InstanceKey::Int(0))));
        assert_eq!(s[2].0, "arn");
    }
}
