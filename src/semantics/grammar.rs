//! The node kinds and field names of the grammar the binder dispatches on, as ids looked up once:
//! comparing a node's kind id is much cheaper than comparing its kind name.

use std::sync::LazyLock;

/// Node kind ids of the grammar, looked up once.
pub(super) struct Kinds {
    pub(super) identifier: u16,
    pub(super) quoted_identifier: u16,
    pub(super) inclusive_identifier: u16,
    pub(super) section_access: u16,
    pub(super) intrinsic_identifier: u16,
    pub(super) section: u16,
    pub(super) section_member: u16,
    pub(super) let_expression: u16,
    pub(super) binding: u16,
    pub(super) record_expression: u16,
    pub(super) record_field: u16,
    pub(super) function_expression: u16,
    pub(super) parameter_list: u16,
    pub(super) parameter: u16,
    pub(super) each_expression: u16,
    pub(super) catch_clause: u16,
    pub(super) invoke_expression: u16,
    pub(super) field_access: u16,
    pub(super) projection: u16,
    pub(super) implicit_field_access: u16,
    pub(super) implicit_projection: u16,
    pub(super) generalized_identifier: u16,
    pub(super) type_expression: u16,
    pub(super) primitive_type: u16,
    pub(super) nullable_primitive_type: u16,
    pub(super) nullable_type: u16,
    pub(super) record_type: u16,
    pub(super) field_specification: u16,
    pub(super) list_type: u16,
    pub(super) function_type: u16,
    pub(super) parameter_specification: u16,
    pub(super) table_type: u16,
    pub(super) comment: u16,
    pub(super) binary_expression: u16,
    pub(super) text_literal: u16,
    pub(super) plus: u16,
    pub(super) comma: u16,
    pub(super) open_paren: u16,
    pub(super) close_paren: u16,
}

impl Kinds {
    /// Whether a kind is a type construct whose children are in type position (`type X`, `nullable X`,
    /// `[A = text]` in a type, `{X}`, `function (...) as X`, `table [...]`).
    pub(super) fn is_type_construct(&self, kind: u16) -> bool {
        [
            self.type_expression,
            self.nullable_type,
            self.record_type,
            self.field_specification,
            self.list_type,
            self.function_type,
            self.parameter_specification,
            self.table_type,
        ]
        .contains(&kind)
    }
}

/// Field ids of the grammar, looked up once.
pub(super) struct Fields {
    pub(super) name: u16,
    pub(super) value: u16,
    pub(super) body: u16,
    pub(super) binding: u16,
    pub(super) field: u16,
    pub(super) attributes: u16,
    pub(super) member: u16,
    pub(super) section: u16,
    pub(super) parameters: u16,
    pub(super) parameter: u16,
    pub(super) function: u16,
    pub(super) arguments: u16,
    pub(super) argument: u16,
    pub(super) record: u16,
    pub(super) optional: u16,
    pub(super) shared: u16,
}

pub(super) struct Grammar {
    pub(super) kinds: Kinds,
    pub(super) fields: Fields,
}

pub(super) static GRAMMAR: LazyLock<Grammar> = LazyLock::new(|| {
    let language = crate::syntax::language();
    let kind = |name: &str| {
        let id = language.id_for_node_kind(name, true);
        assert!(id != 0, "the grammar has a `{name}` node");
        id
    };
    let field = |name: &str| {
        language.field_id_for_name(name).unwrap_or_else(|| panic!("the grammar has a `{name}` field")).get()
    };
    Grammar {
        kinds: Kinds {
            identifier: kind("identifier"),
            quoted_identifier: kind("quoted_identifier"),
            inclusive_identifier: kind("inclusive_identifier"),
            section_access: kind("section_access"),
            intrinsic_identifier: kind("intrinsic_identifier"),
            section: kind("section"),
            section_member: kind("section_member"),
            let_expression: kind("let_expression"),
            binding: kind("binding"),
            record_expression: kind("record_expression"),
            record_field: kind("record_field"),
            function_expression: kind("function_expression"),
            parameter_list: kind("parameter_list"),
            parameter: kind("parameter"),
            each_expression: kind("each_expression"),
            catch_clause: kind("catch_clause"),
            invoke_expression: kind("invoke_expression"),
            field_access: kind("field_access"),
            projection: kind("projection"),
            implicit_field_access: kind("implicit_field_access"),
            implicit_projection: kind("implicit_projection"),
            generalized_identifier: kind("generalized_identifier"),
            type_expression: kind("type_expression"),
            primitive_type: kind("primitive_type"),
            nullable_primitive_type: kind("nullable_primitive_type"),
            nullable_type: kind("nullable_type"),
            record_type: kind("record_type"),
            field_specification: kind("field_specification"),
            list_type: kind("list_type"),
            function_type: kind("function_type"),
            parameter_specification: kind("parameter_specification"),
            table_type: kind("table_type"),
            comment: kind("comment"),
            binary_expression: kind("binary_expression"),
            text_literal: kind("text_literal"),
            plus: language.id_for_node_kind("+", false),
            comma: language.id_for_node_kind(",", false),
            open_paren: language.id_for_node_kind("(", false),
            close_paren: language.id_for_node_kind(")", false),
        },
        fields: Fields {
            name: field("name"),
            value: field("value"),
            body: field("body"),
            binding: field("binding"),
            field: field("field"),
            attributes: field("attributes"),
            member: field("member"),
            section: field("section"),
            parameters: field("parameters"),
            parameter: field("parameter"),
            function: field("function"),
            arguments: field("arguments"),
            argument: field("argument"),
            record: field("record"),
            optional: field("optional"),
            shared: field("shared"),
        },
    }
});
