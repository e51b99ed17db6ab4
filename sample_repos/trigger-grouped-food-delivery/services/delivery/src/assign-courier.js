// OrderReady: offer the order to the nearest courier.
exports.handler = async (event) => {
  console.log("assigning a courier for order", event.detail.orderId);
};
