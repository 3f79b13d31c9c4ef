"""The pages: "My week", a member's week, the team week, Hours and Find a time; their views,
page models, the week grid's drawing, and who may see which page."""
