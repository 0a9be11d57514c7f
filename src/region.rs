//! Region detection from the local timezone, for two choices upstream makes the same way:
//! which image registry is nearest, and which z.ai / 智谱 endpoint to use.
//!
//! The timezone comes from `TZ`, then `/etc/timezone`, then the `/etc/localtime` link.
//! Names are canonicalised with chrono-tz: case is fixed, and a link such as
//! `Asia/Chongqing` or `PRC` is recognised as the zone whose rules it shares, by
//! comparing UTC offsets over the whole tz history.

use std::path::Path;
use std::str::FromStr;

use chrono::{TimeZone, Utc};
use chrono_tz::{OffsetComponents, Tz};

use crate::env_vars;

pub const DEFAULT_REGISTRY: &str = "higress-registry.cn-hangzhou.cr.aliyuncs.com";
const SOUTHEAST_ASIA_REGISTRY: &str = "higress-registry.ap-southeast-7.cr.aliyuncs.com";
const NORTH_AMERICA_REGISTRY: &str = "higress-registry.us-west-1.cr.aliyuncs.com";

/// The zhipu endpoint for each region.
pub const ZHIPU_CHINA_DOMAIN: &str = "open.bigmodel.cn";
pub const ZHIPU_INTERNATIONAL_DOMAIN: &str = "api.z.ai";

const CHINA_ZONES: &[&str] = &[
    "Asia/Shanghai",
    "Asia/Urumqi",
    "Asia/Hong_Kong",
    "Asia/Macau",
    "Asia/Taipei",
];
const SOUTHEAST_ASIA_ZONES: &[&str] = &[
    "Asia/Singapore",
    "Asia/Jakarta",
    "Asia/Bangkok",
    "Asia/Kuala_Lumpur",
    "Asia/Manila",
    "Asia/Ho_Chi_Minh",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Region {
    China,
    International,
}

#[derive(Debug, Clone)]
pub struct RegionInfo {
    /// The zone as found, canonicalised when chrono-tz knows it.
    pub timezone: Option<String>,
    pub region: Region,
    pub registry: &'static str,
}

/// The configured timezone name, if any source names one.
pub fn local_timezone() -> Option<String> {
    if let Ok(tz) = std::env::var(env_vars::TZ) {
        let tz = tz.trim().trim_start_matches(':');
        if !tz.is_empty() {
            return Some(strip_zoneinfo(tz).to_string());
        }
    }
    if let Ok(text) = std::fs::read_to_string("/etc/timezone")
        && let Some(line) = text.lines().map(str::trim).find(|l| !l.is_empty())
    {
        return Some(line.to_string());
    }
    let link = std::fs::read_link(Path::new("/etc/localtime")).ok()?;
    Some(strip_zoneinfo(&link.to_string_lossy()).to_string())
}

/// `/usr/share/zoneinfo/posix/Asia/Shanghai` → `Asia/Shanghai`.
fn strip_zoneinfo(path: &str) -> &str {
    let rest = path.rsplit_once("zoneinfo/").map_or(path, |(_, r)| r);
    rest.trim_start_matches("posix/")
        .trim_start_matches("right/")
}

fn parse(name: &str) -> Option<Tz> {
    Tz::from_str(name)
        .ok()
        .or_else(|| Tz::from_str_insensitive(name).ok())
}

/// Same offsets at every sampled instant from 1900 to 2037: the zones are one (a link).
fn same_rules(a: Tz, b: Tz) -> bool {
    // Every 29 days covers each DST period of the last century.
    (0..1700).all(|i| {
        let t = Utc
            .timestamp_opt(-2_208_988_800 + i * 29 * 86_400, 0)
            .unwrap();
        let oa = a.offset_from_utc_datetime(&t.naive_utc());
        let ob = b.offset_from_utc_datetime(&t.naive_utc());
        oa.base_utc_offset() == ob.base_utc_offset() && oa.dst_offset() == ob.dst_offset()
    })
}

/// Which listed zone `name` is (itself, a case variant, or a link to it).
fn member_of(name: &str, list: &[&str]) -> bool {
    let Some(tz) = parse(name) else {
        return false;
    };
    list.iter()
        .any(|zone| tz.name() == *zone || parse(zone).is_some_and(|z| same_rules(tz, z)))
}

pub fn canonical(name: &str) -> String {
    parse(name).map_or_else(|| name.to_string(), |tz| tz.name().to_string())
}

pub fn region_for(timezone: Option<&str>) -> Region {
    match timezone {
        Some(tz) if member_of(tz, CHINA_ZONES) => Region::China,
        _ => Region::International,
    }
}

pub fn registry_for(timezone: Option<&str>) -> &'static str {
    let Some(tz) = timezone else {
        return DEFAULT_REGISTRY;
    };
    let name = canonical(tz);
    if member_of(tz, CHINA_ZONES) {
        DEFAULT_REGISTRY
    } else if member_of(tz, SOUTHEAST_ASIA_ZONES) {
        SOUTHEAST_ASIA_REGISTRY
    } else if ["America/", "US/", "Canada/"]
        .iter()
        .any(|p| name.starts_with(p) || tz.starts_with(p))
    {
        NORTH_AMERICA_REGISTRY
    } else {
        DEFAULT_REGISTRY
    }
}

/// The region to use: forced by `--region`, else from the timezone.
pub fn detect(forced: Option<Region>) -> RegionInfo {
    let timezone = local_timezone();
    let region = forced.unwrap_or_else(|| region_for(timezone.as_deref()));
    let registry = match forced {
        Some(Region::China) => DEFAULT_REGISTRY,
        _ => registry_for(timezone.as_deref()),
    };
    RegionInfo {
        timezone: timezone.map(|tz| canonical(&tz)),
        region,
        registry,
    }
}

pub fn zhipu_domain(region: Region) -> &'static str {
    match region {
        Region::China => ZHIPU_CHINA_DOMAIN,
        Region::International => ZHIPU_INTERNATIONAL_DOMAIN,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn china_zones_and_their_links() {
        for tz in [
            "Asia/Shanghai",
            "Asia/Chongqing",
            "PRC",
            "asia/shanghai",
            "Asia/Harbin",
        ] {
            assert_eq!(region_for(Some(tz)), Region::China, "{tz}");
        }
        for tz in [
            "Asia/Singapore",
            "Europe/Berlin",
            "America/New_York",
            "Etc/UTC",
            "Nowhere/Else",
        ] {
            assert_eq!(region_for(Some(tz)), Region::International, "{tz}");
        }
        assert_eq!(region_for(None), Region::International);
    }

    #[test]
    fn registries_follow_upstream() {
        assert_eq!(registry_for(Some("Asia/Chongqing")), DEFAULT_REGISTRY);
        assert_eq!(
            registry_for(Some("Asia/Singapore")),
            SOUTHEAST_ASIA_REGISTRY
        );
        assert_eq!(
            registry_for(Some("America/Los_Angeles")),
            NORTH_AMERICA_REGISTRY
        );
        assert_eq!(registry_for(Some("US/Pacific")), NORTH_AMERICA_REGISTRY);
        assert_eq!(registry_for(Some("Europe/Paris")), DEFAULT_REGISTRY);
        assert_eq!(registry_for(None), DEFAULT_REGISTRY);
    }

    #[test]
    fn zoneinfo_paths_are_stripped() {
        assert_eq!(
            strip_zoneinfo("/usr/share/zoneinfo/Asia/Shanghai"),
            "Asia/Shanghai"
        );
        assert_eq!(
            strip_zoneinfo("../usr/share/zoneinfo/posix/Europe/Paris"),
            "Europe/Paris"
        );
    }
}
