//! The language-neutral model of the wasi:http 0.2 outbound surface.
//!
//! Everything here is read from the parsed WIT: the method and scheme variants, every
//! `error-code` and `header-error` case with its WIT name and payload, the records those
//! payloads use, the `request-options` getters/setters, and the two handler signatures.
//! Backends only turn this model into their language's names; none of them lists a WIT
//! case by hand, so a new error code in the WIT reaches every SDK without a template edit.

use wit_parser::{
    Docs, Function, FunctionKind, Handle, InterfaceId, Resolve, Type, TypeDefKind, TypeId,
    WorldItem,
};

use crate::error::{Error, Result};
use crate::wit::Wit;

/// The outbound-HTTP surface of one wasi:http 0.2.x package.
#[derive(Debug, Clone, PartialEq)]
pub struct Model {
    /// `wasi:http@0.2.12`.
    pub package: String,
    /// `0.2.12`.
    pub version: String,
    /// `wasi:http/proxy@0.2.12`.
    pub world: String,
    /// Cases of `variant method` (`get`, ..., `other(string)`).
    pub methods: Vec<Case>,
    /// Cases of `variant scheme` (`HTTP`, `HTTPS`, `other(string)`).
    pub schemes: Vec<Case>,
    /// Cases of `variant error-code`, in WIT order.
    pub error_codes: Vec<Case>,
    /// Cases of `variant header-error`.
    pub header_errors: Vec<Case>,
    /// Records used (directly or inside `option`/`list`) by error-code or header-error payloads.
    pub records: Vec<Record>,
    /// The properties of `resource request-options`.
    pub request_options: Vec<RequestOption>,
    /// `wasi:http/outgoing-handler.handle`.
    pub outgoing_handler: HandlerSignature,
    /// `wasi:http/incoming-handler.handle`.
    pub incoming_handler: HandlerSignature,
}

/// One case of a WIT variant.
#[derive(Debug, Clone, PartialEq)]
pub struct Case {
    /// The name exactly as the WIT spells it (`HTTP-request-denied`, `DNS-error`).
    pub wit_name: String,
    /// The payload type, if the case carries one.
    pub payload: Option<TypeRef>,
    /// The WIT doc comment.
    pub docs: Option<String>,
    /// Where the WIT declares it (`wit/deps/http.wit:120:5`), for errors.
    pub location: String,
}

impl Case {
    /// `e`, placed at this case: `wit/deps/http.wit:120:5 (error-code.DNS-error): …`.
    pub fn locate(&self, variant: &str, e: Error) -> Error {
        e.at(format!("{} ({variant}.{})", self.location, self.wit_name))
    }
}

/// A WIT type as the backends need it: structure, with named types kept by name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TypeRef {
    Bool,
    U8,
    U16,
    U32,
    U64,
    S8,
    S16,
    S32,
    S64,
    F32,
    F64,
    Char,
    String,
    Option(Box<TypeRef>),
    List(Box<TypeRef>),
    Tuple(Vec<TypeRef>),
    Result {
        ok: Option<Box<TypeRef>>,
        err: Option<Box<TypeRef>>,
    },
    /// A record defined in the WIT; its fields are in [`Model::records`].
    Record(String),
    /// A variant or enum defined in the WIT (e.g. `error-code`).
    Variant(String),
    /// An owned resource handle (`outgoing-request`).
    Own(String),
    /// A borrowed resource handle (`borrow<fields>`).
    Borrow(String),
    /// A named alias of a plain type, e.g. `duration` = `u64`.
    Alias {
        wit_name: String,
        target: Box<TypeRef>,
    },
}

/// A WIT record used by a payload.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    pub wit_name: String,
    pub fields: Vec<Field>,
    pub docs: Option<String>,
}

/// A field of a [`Record`].
#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    pub wit_name: String,
    pub ty: TypeRef,
    pub docs: Option<String>,
}

/// One property of `request-options`, e.g. `connect-timeout`, read through a getter and
/// written through a setter whose `result<_, _>` says whether the host supports it.
#[derive(Debug, Clone, PartialEq)]
pub struct RequestOption {
    /// `connect-timeout`.
    pub wit_name: String,
    /// The getter's result, unwrapped from its `option` (e.g. `duration`).
    pub ty: TypeRef,
    pub docs: Option<String>,
}

impl RequestOption {
    /// Whether the option is a wasi:clocks `duration` (nanoseconds), which every SDK shows as
    /// its language's duration type.
    pub fn is_duration(&self) -> bool {
        matches!(&self.ty, TypeRef::Alias { wit_name, target }
            if wit_name == "duration" && **target == TypeRef::U64)
    }
}

/// A handler function.
#[derive(Debug, Clone, PartialEq)]
pub struct HandlerSignature {
    /// `wasi:http/outgoing-handler@0.2.12`.
    pub interface: String,
    /// `handle`.
    pub function: String,
    pub params: Vec<(String, TypeRef)>,
    pub result: Option<TypeRef>,
}

impl Model {
    /// Builds the model from a loaded WIT, failing with a WIT location when a piece of the
    /// surface the SDKs rely on is missing or has an unexpected shape.
    pub fn from_wit(wit: &Wit) -> Result<Self> {
        let resolve = &wit.resolve;
        let pkg = &resolve.packages[wit.package];
        let package = pkg.name.to_string();
        let version = pkg
            .name
            .version
            .as_ref()
            .map(ToString::to_string)
            .unwrap_or_default();
        let interface = |name: &str| {
            pkg.interfaces.get(name).copied().ok_or_else(|| {
                Error::new(format!("package {package} has no interface `{name}`"))
                    .at(wit.dir.display().to_string())
                    .hint("is this a complete wasi:http 0.2 package?")
            })
        };
        let types = interface("types")?;
        let outgoing = interface("outgoing-handler")?;
        let incoming = interface("incoming-handler")?;
        for (iface, direction) in [(outgoing, "imports"), (incoming, "exports")] {
            let world = &resolve.worlds[wit.world];
            let items = if direction == "imports" {
                &world.imports
            } else {
                &world.exports
            };
            let present = items
                .values()
                .any(|item| matches!(item, WorldItem::Interface { id, .. } if *id == iface));
            if !present {
                return Err(Error::new(format!(
                    "world proxy of {package} no longer {direction} {}",
                    resolve.id_of(iface).unwrap_or_default()
                ))
                .at(wit.dir.display().to_string()));
            }
        }

        let mut builder = Builder {
            resolve,
            records: Vec::new(),
        };
        let methods = builder.variant(types, "method")?;
        let schemes = builder.variant(types, "scheme")?;
        let error_codes = builder.variant(types, "error-code")?;
        let header_errors = builder.variant(types, "header-error")?;
        let request_options = builder.request_options(types)?;
        let outgoing_handler = builder.handler(outgoing, "handle")?;
        let incoming_handler = builder.handler(incoming, "handle")?;
        let records = builder.records;
        Ok(Self {
            world: format!("{}:{}/proxy@{version}", pkg.name.namespace, pkg.name.name),
            package,
            version,
            methods,
            schemes,
            error_codes,
            header_errors,
            records,
            request_options,
            outgoing_handler,
            incoming_handler,
        })
    }

    /// The `error-code` case `wit_name`: the SDKs report their own refusals with a few.
    pub fn error_code(&self, wit_name: &str) -> Result<&Case> {
        self.error_codes
            .iter()
            .find(|c| c.wit_name == wit_name)
            .ok_or_else(|| {
                let missing = Error::new(format!("error-code has no case `{wit_name}`")).hint(
                    "the SDKs report their own refusals with it (conformance/PROTOCOL.md); \
                     wasi:http 0.2 always has it",
                );
                match self.error_codes.first() {
                    Some(first) => first.locate("error-code", missing),
                    None => missing,
                }
            })
    }

    /// The record named `wit_name`, if a payload uses it.
    pub fn record(&self, wit_name: &str) -> Option<&Record> {
        self.records.iter().find(|r| r.wit_name == wit_name)
    }
}

struct Builder<'a> {
    resolve: &'a Resolve,
    records: Vec<Record>,
}

impl Builder<'_> {
    fn named_type(&self, iface: InterfaceId, name: &str) -> Result<TypeId> {
        let i = &self.resolve.interfaces[iface];
        i.types.get(name).copied().ok_or_else(|| {
            Error::new(format!(
                "interface {} has no type `{name}`",
                self.resolve.id_of(iface).unwrap_or_default()
            ))
            .at(self.resolve.render_location(i.span))
            .hint("the generator expects the wasi:http 0.2 types interface")
        })
    }

    fn variant(&mut self, iface: InterfaceId, name: &str) -> Result<Vec<Case>> {
        let id = self.named_type(iface, name)?;
        let def = &self.resolve.types[id];
        let TypeDefKind::Variant(variant) = &def.kind else {
            return Err(Error::new(format!(
                "`{name}` is a {}, expected a variant",
                def.kind.as_str()
            ))
            .at(self.resolve.render_location(def.span)));
        };
        let mut cases = Vec::new();
        for case in &variant.cases {
            let payload = match case.ty {
                Some(ty) => Some(self.type_ref(ty, true)?),
                None => None,
            };
            cases.push(Case {
                wit_name: case.name.clone(),
                payload,
                docs: docs(&case.docs),
                location: self.resolve.render_location(case.span),
            });
        }
        Ok(cases)
    }

    /// The getter/setter pairs of `request-options`, each `get() -> option<T>` with a
    /// matching `set-…(option<T>) -> result`.
    fn request_options(&mut self, iface: InterfaceId) -> Result<Vec<RequestOption>> {
        let resource = self.named_type(iface, "request-options")?;
        let functions = &self.resolve.interfaces[iface].functions;
        let methods: Vec<&Function> = functions
            .values()
            .filter(|f| matches!(f.kind, FunctionKind::Method(id) if id == resource))
            .collect();
        let mut options = Vec::new();
        for getter in &methods {
            let name = getter.item_name();
            if name.starts_with("set-") || getter.params.len() > 1 {
                continue;
            }
            let setter_name = format!("set-{name}");
            if !methods.iter().any(|f| f.item_name() == setter_name) {
                continue;
            }
            let ty = match getter.result.map(|t| self.type_ref(t, false)).transpose()? {
                Some(TypeRef::Option(inner)) => *inner,
                _ => {
                    return Err(Error::new(format!(
                        "request-options.{name} should return an option"
                    ))
                    .at(self.resolve.render_location(getter.span)))
                }
            };
            options.push(RequestOption {
                wit_name: name.to_string(),
                ty,
                docs: docs(&getter.docs),
            });
        }
        if options.is_empty() {
            return Err(
                Error::new("request-options has no getter/setter pairs").at(self
                    .resolve
                    .render_location(self.resolve.types[resource].span)),
            );
        }
        Ok(options)
    }

    fn handler(&mut self, iface: InterfaceId, name: &str) -> Result<HandlerSignature> {
        let interface = self.resolve.id_of(iface).unwrap_or_default();
        let i = &self.resolve.interfaces[iface];
        let f = i.functions.get(name).ok_or_else(|| {
            Error::new(format!("interface {interface} has no function `{name}`"))
                .at(self.resolve.render_location(i.span))
        })?;
        let mut params = Vec::new();
        for p in &f.params {
            params.push((p.name.clone(), self.type_ref(p.ty, false)?));
        }
        let result = f.result.map(|t| self.type_ref(t, false)).transpose()?;
        Ok(HandlerSignature {
            interface,
            function: name.to_string(),
            params,
            result,
        })
    }

    /// Converts a WIT type; `collect` records the records it reaches (payload types).
    fn type_ref(&mut self, ty: Type, collect: bool) -> Result<TypeRef> {
        Ok(match ty {
            Type::Bool => TypeRef::Bool,
            Type::U8 => TypeRef::U8,
            Type::U16 => TypeRef::U16,
            Type::U32 => TypeRef::U32,
            Type::U64 => TypeRef::U64,
            Type::S8 => TypeRef::S8,
            Type::S16 => TypeRef::S16,
            Type::S32 => TypeRef::S32,
            Type::S64 => TypeRef::S64,
            Type::F32 => TypeRef::F32,
            Type::F64 => TypeRef::F64,
            Type::Char => TypeRef::Char,
            Type::String => TypeRef::String,
            Type::ErrorContext => {
                return Err(Error::new("error-context is not part of wasi:http 0.2"))
            }
            Type::Id(id) => self.type_id(id, collect)?,
        })
    }

    fn type_id(&mut self, id: TypeId, collect: bool) -> Result<TypeRef> {
        let def = &self.resolve.types[id];
        let name = def.name.clone();
        Ok(match &def.kind {
            // `use types.{error-code}` makes an alias to a named type: see through it.
            TypeDefKind::Type(Type::Id(target)) => self.type_id(*target, collect)?,
            TypeDefKind::Type(plain) => {
                let target = Box::new(self.type_ref(*plain, collect)?);
                match name {
                    Some(wit_name) => TypeRef::Alias { wit_name, target },
                    None => *target,
                }
            }
            TypeDefKind::Option(t) => TypeRef::Option(Box::new(self.type_ref(*t, collect)?)),
            TypeDefKind::List(t) => TypeRef::List(Box::new(self.type_ref(*t, collect)?)),
            TypeDefKind::Tuple(t) => {
                let mut items = Vec::new();
                for ty in &t.types {
                    items.push(self.type_ref(*ty, collect)?);
                }
                TypeRef::Tuple(items)
            }
            TypeDefKind::Result(r) => TypeRef::Result {
                ok: r
                    .ok
                    .map(|t| self.type_ref(t, collect))
                    .transpose()?
                    .map(Box::new),
                err: r
                    .err
                    .map(|t| self.type_ref(t, collect))
                    .transpose()?
                    .map(Box::new),
            },
            TypeDefKind::Record(record) => {
                let wit_name = self.name_of(id)?;
                if collect && !self.records.iter().any(|r| r.wit_name == wit_name) {
                    let docs = docs(&def.docs);
                    let mut fields = Vec::new();
                    for f in &record.fields {
                        fields.push(Field {
                            wit_name: f.name.clone(),
                            ty: self.type_ref(f.ty, collect)?,
                            docs: self::docs(&f.docs),
                        });
                    }
                    self.records.push(Record {
                        wit_name: wit_name.clone(),
                        fields,
                        docs,
                    });
                }
                TypeRef::Record(wit_name)
            }
            TypeDefKind::Variant(_) | TypeDefKind::Enum(_) => TypeRef::Variant(self.name_of(id)?),
            TypeDefKind::Resource => TypeRef::Own(self.name_of(id)?),
            TypeDefKind::Handle(Handle::Own(r)) => TypeRef::Own(self.name_of(*r)?),
            TypeDefKind::Handle(Handle::Borrow(r)) => TypeRef::Borrow(self.name_of(*r)?),
            other => {
                return Err(Error::new(format!(
                    "unsupported WIT type kind `{}` in the outbound surface",
                    other.as_str()
                ))
                .at(self.resolve.render_location(def.span))
                .hint("wasi:http 0.2 uses no flags, maps, futures or streams here; is this 0.3?"))
            }
        })
    }

    fn name_of(&self, id: TypeId) -> Result<String> {
        let mut id = id;
        // Follow `use` aliases to the defining name.
        while let TypeDefKind::Type(Type::Id(next)) = self.resolve.types[id].kind {
            id = next;
        }
        let def = &self.resolve.types[id];
        def.name.clone().ok_or_else(|| {
            Error::new("anonymous type where a named one was expected")
                .at(self.resolve.render_location(def.span))
        })
    }
}

fn docs(docs: &Docs) -> Option<String> {
    docs.contents
        .as_ref()
        .map(|d| d.trim().to_string())
        .filter(|d| !d.is_empty())
}

#[cfg(test)]
mod tests;
