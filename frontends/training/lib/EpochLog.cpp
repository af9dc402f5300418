//===- EpochLog.cpp - a CSV row per training epoch ------------------------===//

#include "goe/Training/EpochLog.h"

#include <cstdio>
#include <fstream>
#include <sstream>

namespace goe::train {

using runtime::Status;

namespace {

std::string number(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.6g", value);
  return text;
}

/// The columns of `epoch`, in order, and its values.
void columns(const EpochProgress &epoch, std::string &names,
             std::string &values) {
  auto add = [&](const std::string &name, const std::string &value) {
    names += (names.empty() ? "" : ",") + name;
    values += (values.empty() ? "" : ",") + value;
  };
  add("epoch", std::to_string(epoch.epoch));
  add("lr", number(epoch.lr));
  add("loss", number(epoch.loss));
  for (const auto &[name, sum] : epoch.train.partSums)
    add(name, number(epoch.train.part(name)));
  if (epoch.countsCorrect)
    add("accuracy", number(epoch.train.accuracy()));
  add("images_per_s", number(epoch.imagesPerSecond));
  add("seconds", number(epoch.seconds));
  add("val_loss", number(epoch.valLoss));
  for (const auto &[name, sum] : epoch.val.partSums)
    add("val_" + name, number(epoch.val.part(name)));
  if (epoch.countsCorrect)
    add("val_accuracy", number(epoch.valAccuracy));
  for (const auto &[name, value] : epoch.val.metrics)
    add("val_" + name, number(value));
  add("best", epoch.best ? "1" : "0");
}

} // namespace

Status EpochLog::open(const std::string &file) {
  path = file;
  std::ifstream in(path);
  if (in) // a resumed run: the header already there must match ours
    std::getline(in, header);
  return runtime::okStatus();
}

Status EpochLog::append(const EpochProgress &epoch) {
  std::string names, values;
  columns(epoch, names, values);
  bool first = header.empty();
  if (!first && header != names)
    return runtime::failedPrecondition(
        "--csv " + path + ": its columns (" + header + ") are not this run's (" +
        names + "); give another file");
  std::ofstream out(path, std::ios::app);
  if (first)
    out << names << "\n";
  out << values << "\n";
  out.flush();
  if (!out)
    return runtime::dataLoss("cannot append to --csv " + path);
  header = names;
  return runtime::okStatus();
}

} // namespace goe::train
