console.log('playground');
