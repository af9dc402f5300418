//===- YamlValues.cpp - scalars, fields and references of a spec ----------===//
//
// Every YAML value the spec reader turns into something typed: names,
// integer expressions, sizes, floats with their ranges, layer and router
// fields from the LayerOps table and the router and combine kinds'
// descriptors, and references to earlier values. Each problem is reported
// at the node at fault and stops the read (failure, passed up).
//
//===----------------------------------------------------------------------===//

#include "PrintableText.h"
#include "YamlReader.h"
#include "goe/Frontends/Spec/Expr.h"

#include <cmath>
#include <iomanip>
#include <sstream>
#include <tuple>

namespace goe::spec::detail {

Loc locOf(const YAML::Node &node) {
  YAML::Mark mark = node.Mark();
  if (mark.line < 0)
    return {};
  return {unsigned(mark.line + 1), unsigned(mark.column + 1)};
}

LogicalResult Reader::fail(Loc loc, const std::string &message) {
  if (loc.line == 0)
    loc = {1, 1}; // an empty file or a problem without a mark
  mlir::emitError(
      mlir::FileLineColLoc::get(context, spec.file, loc.line, loc.col))
      << printableText(message);
  return failure();
}

bool isIdentifier(const std::string &name) {
  if (name.empty() || !(std::isalpha((unsigned char)name[0]) || name[0] == '_'))
    return false;
  for (char c : name)
    if (!(std::isalnum((unsigned char)c) || c == '_'))
      return false;
  return true;
}

std::string describe(const YAML::Node &node) {
  switch (node.Type()) {
  case YAML::NodeType::Null:
    return "nothing";
  case YAML::NodeType::Scalar:
    return "'" + node.Scalar() + "'";
  case YAML::NodeType::Sequence:
    return "a list";
  case YAML::NodeType::Map:
    return "a map";
  default:
    return "an undefined value";
  }
}

LogicalResult Reader::rejectMergeKeys(const YAML::Node &root) {
  // Aliases share their anchor's node, so a node is visited once, known by
  // where it starts and what it is (a block map starts where its first key
  // does); walking every alias instead would take exponential time on a
  // "billion laughs" document.
  std::set<std::tuple<int, int, int>> seen;
  std::vector<YAML::Node> pending{root};
  Loc first;
  while (!pending.empty()) {
    YAML::Node node = pending.back();
    pending.pop_back();
    if (!node.IsMap() && !node.IsSequence())
      continue;
    YAML::Mark mark = node.Mark();
    if (!seen.insert({mark.line, mark.column, int(node.Type())}).second)
      continue;
    if (node.IsSequence()) {
      for (const YAML::Node &item : node)
        pending.push_back(item);
      continue;
    }
    for (const auto &entry : node) {
      const YAML::Node &key = entry.first;
      // A quoted "<<" is an ordinary key (yaml-cpp tags it "!").
      bool merge = key.IsScalar() && key.Scalar() == "<<" && key.Tag() != "!";
      Loc loc = locOf(key);
      if (merge && (first.line == 0 || loc.line < first.line ||
                    (loc.line == first.line && loc.col < first.col)))
        first = loc;
      pending.push_back(key);
      pending.push_back(entry.second);
    }
  }
  if (first.line == 0)
    return success();
  return fail(first, "merge keys ('<<') are not supported; write the keys "
                     "out (an alias '*name' can still stand for a whole "
                     "value)");
}

LogicalResult Reader::expectMap(const YAML::Node &node,
                                const std::string &what) {
  if (!node.IsMap())
    return fail(node, what + " must be a map, got " + describe(node));
  return success();
}

LogicalResult Reader::expectSeq(const YAML::Node &node,
                                const std::string &what) {
  if (!node.IsSequence())
    return fail(node, what + " must be a list, got " + describe(node));
  return success();
}

FailureOr<std::string> Reader::readName(const YAML::Node &node,
                                        const std::string &what) {
  if (!node.IsScalar())
    return fail(node, what + " must be a name, got " + describe(node));
  std::string name = node.Scalar();
  if (!isIdentifier(name))
    return fail(node, what + " '" + name +
                          "' is not a valid name (letters, digits and '_')");
  return name;
}

FailureOr<int64_t> Reader::readInt(const YAML::Node &node,
                                   const std::string &what) {
  if (!node.IsScalar())
    return fail(node, what + " must be an integer, got " + describe(node));
  int64_t value;
  std::string error;
  if (!evaluateExpr(node.Scalar(), spec.vars, value, error))
    return fail(node, what + ": " + error);
  // Sizes beyond 2^31 are never meant; bounding them keeps all shape
  // arithmetic (padding, scaling, element counts) clear of overflow.
  if (value > (int64_t(1) << 31) || value < -(int64_t(1) << 31))
    return fail(node, what + " is too large: " + std::to_string(value));
  return value;
}

FailureOr<int64_t> Reader::readSize(const YAML::Node &node,
                                    const std::string &what) {
  FailureOr<int64_t> value = readInt(node, what);
  if (succeeded(value) && *value <= 0)
    return fail(node, what + " must be positive, got " +
                          std::to_string(*value));
  return value;
}

FailureOr<double> Reader::readFloat(const YAML::Node &node,
                                    const std::string &what) {
  if (!node.IsScalar())
    return fail(node, what + " must be a number, got " + describe(node));
  const std::string &text = node.Scalar();
  char *end = nullptr;
  double value = std::strtod(text.c_str(), &end);
  if (text.empty() || *end != '\0' || !std::isfinite(value))
    return fail(node, what + " must be a number, got '" + text + "'");
  return value;
}

FailureOr<bool> Reader::readBool(const YAML::Node &node,
                                 const std::string &what) {
  if (node.IsScalar()) {
    const std::string &text = node.Scalar();
    if (text == "true")
      return true;
    if (text == "false")
      return false;
  }
  return fail(node, what + " must be true or false, got " + describe(node));
}

LogicalResult Reader::checkBounds(Loc loc, double value, double low,
                                  double high, const std::string &what) {
  if (value >= low && value <= high)
    return success();
  std::ostringstream message;
  message << std::setprecision(15); // 1000000, not 1e+06
  message << what << " must lie in [" << low << ", " << high << "], got "
          << value;
  return fail(loc, message.str());
}

LogicalResult Reader::checkRange(const YAML::Node &node,
                                 const std::string &key, double value,
                                 const std::string &what) {
  static const std::map<std::string, std::pair<double, double>> ranges = {
      {"p", {0.0, 0.999999}}, {"eps", {1e-30, 1.0}},
      {"momentum", {0.0, 1.0}}, {"slope", {0.0, 1e6}}};
  auto it = ranges.find(key);
  if (it == ranges.end())
    return success();
  return checkBounds(locOf(node), value, it->second.first, it->second.second,
                     what);
}

FailureOr<Field> Reader::readField(const YAML::Node &node,
                                   const FieldSpec &field,
                                   const std::string &owner) {
  std::string what = owner + " field '" + field.key + "'";
  Field out;
  out.loc = locOf(node);
  bool ok = true;
  switch (field.type) {
  case FieldType::Size:
    ok = take(readSize(node, what), out.i);
    break;
  case FieldType::Count:
    ok = take(readInt(node, what), out.i);
    if (ok && out.i < 0)
      return fail(node, what + " must not be negative, got " +
                            std::to_string(out.i));
    break;
  case FieldType::Signed:
    ok = take(readInt(node, what), out.i);
    break;
  case FieldType::Float:
    out.kind = Field::Float;
    ok = take(readFloat(node, what), out.f) &&
         succeeded(checkRange(node, field.key, out.f, what));
    break;
  case FieldType::Bool:
    out.kind = Field::Bool;
    ok = take(readBool(node, what), out.b);
    break;
  case FieldType::Str:
    out.kind = Field::Str;
    ok = take(readName(node, what), out.s);
    break;
  case FieldType::Sizes:
    out.kind = Field::IntList;
    ok = succeeded(expectSeq(node, what));
    for (size_t i = 0; ok && i < node.size(); ++i) {
      out.list.emplace_back();
      ok = take(readSize(node[i], what), out.list.back());
    }
    break;
  case FieldType::Pairs:
    out.kind = Field::IntMatrix;
    ok = succeeded(expectSeq(node, what));
    for (size_t i = 0; ok && i < node.size(); ++i) {
      const YAML::Node &pair = node[i];
      if (!pair.IsSequence() || pair.size() != 2)
        return fail(pair, what + " must list [width, height] pairs, got " +
                              describe(pair));
      out.matrix.push_back({0, 0});
      ok = take(readSize(pair[0], what), out.matrix.back()[0]) &&
           take(readSize(pair[1], what), out.matrix.back()[1]);
    }
    break;
  }
  if (!ok)
    return failure();
  return out;
}

LogicalResult Reader::checkKeys(const YAML::Node &map,
                                const std::set<std::string> &allowed,
                                const std::string &owner) {
  std::set<std::string> seen;
  for (const auto &entry : map) {
    const YAML::Node &key = entry.first;
    std::string name = key.IsScalar() ? key.Scalar() : "";
    if (!allowed.count(name)) {
      std::string list;
      for (const std::string &a : allowed)
        list += (list.empty() ? "" : ", ") + a;
      return fail(key, "unknown key " + describe(key) + " in " + owner +
                           " (allowed: " + list + ")");
    }
    if (!seen.insert(name).second)
      return fail(key, "key '" + name + "' appears twice in " + owner);
  }
  return success();
}

LogicalResult Reader::readFields(const YAML::Node &map,
                                 const std::vector<FieldSpec> &specs,
                                 const std::set<std::string> &common,
                                 const std::string &owner, Fields &out) {
  std::set<std::string> allowed = common;
  for (const FieldSpec &field : specs)
    allowed.insert(field.key);
  if (failed(checkKeys(map, allowed, owner)))
    return failure();
  for (const FieldSpec &field : specs) {
    const YAML::Node value = map[field.key];
    if (!value) {
      if (field.required)
        return fail(map, owner + " needs field '" + field.key + "'");
      continue;
    }
    FailureOr<Field> read = readField(value, field, owner);
    if (failed(read))
      return failure();
    out[field.key] = *read;
  }
  return success();
}

LogicalResult Reader::readKindFields(const YAML::Node &map,
                                     const char *bodyKey,
                                     const std::vector<KindParam> &params,
                                     const std::set<std::string> &common,
                                     const std::string &owner, Fields &out) {
  static const std::map<KindParam::Type, FieldType> types = {
      {KindParam::Size, FieldType::Size},
      {KindParam::Count, FieldType::Count},
      {KindParam::Float, FieldType::Float},
      {KindParam::Choice, FieldType::Str}};
  std::vector<FieldSpec> specs;
  if (bodyKey)
    specs.push_back({bodyKey, FieldType::Str, true});
  for (const KindParam &param : params)
    specs.push_back({param.key, types.at(param.type), param.required});
  if (failed(readFields(map, specs, common, owner, out)))
    return failure();
  for (const KindParam &param : params) {
    auto it = out.find(param.key);
    if (it == out.end())
      continue;
    const Field &field = it->second;
    if (param.type == KindParam::Choice) {
      if (param.choiceIndex(field.s) < 0)
        return fail(field.loc, std::string(param.key) + " must be " +
                                   param.choiceList());
    } else if (param.high > param.low &&
               failed(checkBounds(
                   field.loc, field.kind == Field::Float ? field.f : field.i,
                   param.low, param.high,
                   owner + " field '" + param.key + "'"))) {
      return failure();
    }
  }
  return success();
}

LogicalResult Reader::readRefs(const YAML::Node &node, bool namesOnly,
                               std::vector<Ref> &refs,
                               const std::string &key) {
  auto readOne = [&](const YAML::Node &item) -> LogicalResult {
    if (!item.IsScalar())
      return fail(item, "a reference must be a layer index or a name, got " +
                            describe(item));
    Ref ref;
    ref.loc = locOf(item);
    const std::string &text = item.Scalar();
    bool numeric = !text.empty() &&
                   (std::isdigit((unsigned char)text[0]) || text[0] == '-');
    if (numeric) {
      if (namesOnly)
        return fail(item, "graph nodes read values by name, not by index '" +
                              text + "'");
      FailureOr<int64_t> index = readInt(item, "reference");
      if (failed(index))
        return failure();
      ref.index = *index;
      ref.kind = ref.index < 0 ? Ref::Relative : Ref::Index;
    } else {
      ref.kind = Ref::Name;
      ref.name = text;
      // `node.output` for graph values; plain names inside modules.
      size_t dot = text.find('.');
      bool valid = isIdentifier(text.substr(0, dot)) &&
                   (dot == std::string::npos ||
                    (namesOnly && !text.substr(dot + 1).empty() &&
                     text.find('.', dot + 1) == std::string::npos));
      if (!valid)
        return fail(item, "'" + text + "' is not a valid reference");
    }
    refs.push_back(ref);
    return success();
  };
  if (!node.IsSequence())
    return readOne(node);
  if (node.size() == 0)
    return fail(node, "'" + key + "' must name at least one value");
  for (const YAML::Node &item : node)
    if (failed(readOne(item)))
      return failure();
  return success();
}

} // namespace goe::spec::detail
